# L’évaluation expliquée règle par règle (`render_assessment_text`), en français.
# Les explications du moteur, les titres du document et les citations juridiques restent tels
# qu’ils sont écrits.
assessment-of = Évaluation de { $incident }
assessment-incident-without-id = (incident sans identifiant)
assessment-under = selon « { $title } » ({ $id } { $version }, sha256 { $sha256 })
legal-heading = 1. Qualification juridique
legal-category = Catégorie : { $category } — certitude : { $certainty }
legal-attribution-allows = L’attribution permet au plus la certitude : { $allows }
legal-frame = Cadre : { $frame }
legal-because = Motifs :
legal-schmitt = Facteurs de Schmitt (Manuel de Tallinn 2.0, règle 69) : gravité { $severity }, immédiateté { $immediacy }, caractère direct { $directness }, caractère intrusif { $invasiveness }, mesurabilité { $measurability }, caractère militaire { $military }, implication de l’État { $state }, légalité présumée { $legality } ; total { $total }
severity-heading = 2. Gravité
severity-score = Score NCISS { $score } → niveau { $level } ({ $name }, { $colour })
severity-note = Remarque : { $note }
protected-heading = 3. Infrastructures protégées
protected-finding = { $sector } au titre de { $rule } ({ $basis })
protected-none = Aucune des cibles n’est protégée par ce document.
red-lines-heading = 4. Lignes rouges
red-line-crossed = FRANCHIE { $id } : { $title } ({ $basis })
red-lines-none = Aucune ligne rouge de ce document n’a été franchie.
norms-heading = 5. Normes en jeu (GGE 2015, A/70/174, par. 13)
norm-engaged = { $norm } par { $by }
norms-none = Aucune.
responses-heading = 6. Réponses
responses-ceiling = Plafond : échelon { $rung } (limité par la catégorie juridique, sa certitude et la confiance dans l’attribution)
responses-proportionate = Proportionné jusqu’à : échelon { $rung }
responses-recommended = Recommandées à l’État lésé, options de désescalade d’abord :
recommended-rung = échelon { $number } { $id } : { $title }
responses-why = Pourquoi celles-ci : { $why }
responses-available = Disponibles (tout échelon dont les conditions sont remplies) : { $rungs }
responses-other-states = Aux autres États (les contre-mesures et la légitime défense individuelle sont réservées à l’État lésé) : { $rungs }
responses-off-ramps = Voies de sortie à proposer :
duties-heading = 7. Obligations
duty = { $kind } dans un délai de { $within }
duties-none = Aucune obligation de notification ou d’accusé de réception ne s’applique.
trace-heading = 8. Règle par règle
