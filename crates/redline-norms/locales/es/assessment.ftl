# La evaluación explicada regla por regla (`render_assessment_text`), en español.
# Las explicaciones del motor, los títulos del documento y las citas jurídicas se reproducen tal
# como están escritas.
assessment-of = Evaluación de { $incident }
assessment-incident-without-id = (incidente sin identificador)
assessment-under = según «{ $title }» ({ $id } { $version }, sha256 { $sha256 })
legal-heading = 1. Calificación jurídica
legal-category = Categoría: { $category } — certeza: { $certainty }
legal-attribution-allows = La atribución permite como máximo la certeza: { $allows }
legal-frame = Marco: { $frame }
legal-because = Motivos:
legal-schmitt = Factores de Schmitt (Manual de Tallin 2.0, regla 69): gravedad { $severity }, inmediatez { $immediacy }, carácter directo { $directness }, carácter invasivo { $invasiveness }, mensurabilidad { $measurability }, carácter militar { $military }, implicación del Estado { $state }, legalidad presunta { $legality }; total { $total }
severity-heading = 2. Gravedad
severity-score = Puntuación NCISS { $score } → nivel { $level } ({ $name }, { $colour })
severity-note = Nota: { $note }
protected-heading = 3. Infraestructura protegida
protected-finding = { $sector } en virtud de { $rule } ({ $basis })
protected-none = Ninguno de los objetivos está protegido por este documento.
red-lines-heading = 4. Líneas rojas
red-line-crossed = CRUZADA { $id }: { $title } ({ $basis })
red-lines-none = No se ha cruzado ninguna línea roja de este documento.
norms-heading = 5. Normas en juego (GEG 2015, A/70/174, párr. 13)
norm-engaged = { $norm } por { $by }
norms-none = Ninguna.
responses-heading = 6. Respuestas
responses-ceiling = Techo: peldaño { $rung } (limitado por la categoría jurídica, su certeza y la confianza en la atribución)
responses-proportionate = Proporcionado hasta: peldaño { $rung }
responses-recommended = Recomendadas al Estado lesionado, primero las opciones de desescalada:
recommended-rung = peldaño { $number } { $id }: { $title }
responses-why = Por qué estas: { $why }
responses-available = Disponibles (todo peldaño cuyas condiciones se cumplen): { $rungs }
responses-other-states = A otros Estados (las contramedidas y la legítima defensa individual corresponden solo al Estado lesionado): { $rungs }
responses-off-ramps = Salidas que ofrecer:
duties-heading = 7. Obligaciones
duty = { $kind } en un plazo de { $within }
duties-none = No se aplica ninguna obligación de notificación ni de acuse de recibo.
trace-heading = 8. Regla por regla
