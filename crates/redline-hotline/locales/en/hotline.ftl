# Standard hotline forms, English. Variables are ids, times and names; free text is never
# passed through Fluent, so it stays exactly as written.

exercise-banner = EXERCISE — EXERCISE — EXERCISE: this message is part of an exercise.

header-from = From: { $from }
header-to = To: { $to }
header-sent-at = Sent: { $sent_at } (UTC)
header-thread = Thread: { $thread }
header-message = Message: { $message_id }
header-incident = Incident: { $incident }
header-tlp = Handling: { $tlp }

label-summary = Summary (as written by the sender)
label-requested-actions = Requested actions (as written by the sender)
label-questions = Questions (as written by the sender)
label-text = Text (as written by the sender)
label-needs = Assistance needed (as written by the sender)
label-offer = Assistance offered (as written by the sender)
label-activity = Activity (as written by the sender)
label-indicators = Indicators (as written by the sender)
label-reason = Reason (as written by the sender)

notification-title = Incident notification
notification-body = { $from } notifies you of an incident and asks you to acknowledge receipt.
notification-severity = Assessed severity: level { $level } of 5.
acknowledgement-title = Acknowledgement
acknowledgement-body = { $from } acknowledges receipt of message { $of }.
clarification-request-title = Request for clarification
clarification-request-body = { $from } asks for clarification on the points below.
response-title = Response
response-body = { $from } responds to message { $of }.
assistance-request-title = Request for assistance
assistance-request-body = { $from } requests assistance under norm 13(h) of the 2015 UN GGE report.
assistance-offer-title = Offer of assistance
assistance-offer-body = { $from } offers assistance.
assistance-offer-body-to-request = { $from } offers assistance in answer to request { $of }.
mitigation-request-title = Request to mitigate malicious activity
mitigation-request-body = { $from } asks { $territory } to stop malicious ICT activity coming from its territory (2015 UN GGE norms 13(c) and 13(h)).
communication-check-title = Communication check
communication-check-body = { $from } is checking that this point of contact can be reached. Please reply to check { $check_id }.
check-reply-title = Reply to a communication check
check-reply-body = { $from } confirms it can be reached (check { $check_id }).
closure-title = Thread closed
closure-body = { $from } closes this thread.
label-done = Done (as written by the sender)
label-not-done = Not done (as written by the sender)
request-outcome-title = Outcome of a request
request-outcome-body-accepted = { $from } accepts request { $of }.
request-outcome-body-partly = { $from } has done part of request { $of }.
request-outcome-body-declined = { $from } declines request { $of }.
request-outcome-body-completed = { $from } has completed request { $of }.
