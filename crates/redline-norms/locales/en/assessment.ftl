# The assessment explained rule by rule (`render_assessment_text`), in English.
# Placeables are filled with the assessment's values; the engine's explanations, the document's
# titles and legal citations are passed through as written.
assessment-of = Assessment of { $incident }
assessment-incident-without-id = (incident without an id)
assessment-under = under "{ $title }" ({ $id } { $version }, sha256 { $sha256 })
legal-heading = 1. Legal characterisation
legal-category = Category: { $category } — certainty: { $certainty }
legal-attribution-allows = Attribution supports at most: { $allows } certainty
legal-frame = Frame: { $frame }
legal-because = Because:
legal-schmitt = Schmitt factors (Tallinn 2.0 Rule 69): severity { $severity }, immediacy { $immediacy }, directness { $directness }, invasiveness { $invasiveness }, measurability { $measurability }, military character { $military }, state involvement { $state }, presumptive legality { $legality }; total { $total }
severity-heading = 2. Severity
severity-score = NCISS score { $score } → level { $level } ({ $name }, { $colour })
severity-note = Note: { $note }
protected-heading = 3. Protected infrastructure
protected-finding = { $sector } under { $rule } ({ $basis })
protected-none = None of the targets is protected under this document.
red-lines-heading = 4. Red lines
red-line-crossed = CROSSED { $id }: { $title } ({ $basis })
red-lines-none = No red line of this document was crossed.
norms-heading = 5. Norms engaged (GGE 2015, A/70/174 para. 13)
norm-engaged = { $norm } by { $by }
norms-none = None.
responses-heading = 6. Responses
responses-ceiling = Ceiling: rung { $rung } (capped by the legal category, its certainty and the attribution confidence)
responses-proportionate = Proportionate up to: rung { $rung }
responses-recommended = Recommended to the injured state, de-escalatory options first:
recommended-rung = rung { $number } { $id }: { $title }
responses-why = Why these: { $why }
responses-available = Available (every rung whose preconditions hold): { $rungs }
responses-other-states = To other states (countermeasures and individual self-defence are for the injured state only): { $rungs }
responses-off-ramps = Off-ramps to offer:
duties-heading = 7. Duties
duty = { $kind } within { $within }
duties-none = No notification or acknowledgement duty applies.
trace-heading = 8. Rule by rule
