# Formulaires standard de la ligne directe, français. Le texte libre ne passe jamais par
# Fluent : il reste tel qu'il a été écrit.

exercise-banner = EXERCICE — EXERCICE — EXERCICE : ce message fait partie d'un exercice.

header-from = De : { $from }
header-to = À : { $to }
header-sent-at = Envoyé : { $sent_at } (UTC)
header-thread = Fil : { $thread }
header-message = Message : { $message_id }
header-incident = Incident : { $incident }
header-tlp = Diffusion : { $tlp }

label-summary = Résumé (tel qu'écrit par l'expéditeur)
label-requested-actions = Mesures demandées (telles qu'écrites par l'expéditeur)
label-questions = Questions (telles qu'écrites par l'expéditeur)
label-text = Texte (tel qu'écrit par l'expéditeur)
label-needs = Assistance nécessaire (telle qu'écrite par l'expéditeur)
label-offer = Assistance proposée (telle qu'écrite par l'expéditeur)
label-activity = Activité (telle qu'écrite par l'expéditeur)
label-indicators = Indicateurs (tels qu'écrits par l'expéditeur)
label-reason = Motif (tel qu'écrit par l'expéditeur)

notification-title = Notification d'incident
notification-body = { $from } vous notifie un incident et vous demande d'en accuser réception.
notification-severity = Gravité évaluée : niveau { $level } sur 5.
acknowledgement-title = Accusé de réception
acknowledgement-body = { $from } accuse réception du message { $of }.
clarification-request-title = Demande d'éclaircissements
clarification-request-body = { $from } demande des éclaircissements sur les points ci-dessous.
response-title = Réponse
response-body = { $from } répond au message { $of }.
assistance-request-title = Demande d'assistance
assistance-request-body = { $from } demande une assistance au titre de la norme 13 h) du rapport 2015 du GGE des Nations Unies.
assistance-offer-title = Offre d'assistance
assistance-offer-body = { $from } propose son assistance.
assistance-offer-body-to-request = { $from } propose son assistance en réponse à la demande { $of }.
mitigation-request-title = Demande d'atténuation d'une activité malveillante
mitigation-request-body = { $from } demande à { $territory } de faire cesser l'activité malveillante liée aux TIC provenant de son territoire (normes 13 c) et 13 h) du GGE des Nations Unies, 2015).
communication-check-title = Vérification des communications
communication-check-body = { $from } vérifie que ce point de contact est joignable. Veuillez répondre à la vérification { $check_id }.
check-reply-title = Réponse à une vérification des communications
check-reply-body = { $from } confirme être joignable (vérification { $check_id }).
closure-title = Fil clos
closure-body = { $from } clôt ce fil.
label-done = Fait (tel qu'écrit par l'expéditeur)
label-not-done = Non fait (tel qu'écrit par l'expéditeur)
request-outcome-title = Suite donnée à une demande
request-outcome-body-accepted = { $from } accepte la demande { $of }.
request-outcome-body-partly = { $from } a exécuté une partie de la demande { $of }.
request-outcome-body-declined = { $from } refuse la demande { $of }.
request-outcome-body-completed = { $from } a entièrement exécuté la demande { $of }.
