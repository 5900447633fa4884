# Formularios estándar de la línea directa, español. El texto libre nunca pasa por Fluent:
# queda tal como se escribió.

exercise-banner = EJERCICIO — EJERCICIO — EJERCICIO: este mensaje forma parte de un ejercicio.

header-from = De: { $from }
header-to = Para: { $to }
header-sent-at = Enviado: { $sent_at } (UTC)
header-thread = Hilo: { $thread }
header-message = Mensaje: { $message_id }
header-incident = Incidente: { $incident }
header-tlp = Difusión: { $tlp }

label-summary = Resumen (tal como lo escribió el remitente)
label-requested-actions = Medidas solicitadas (tal como las escribió el remitente)
label-questions = Preguntas (tal como las escribió el remitente)
label-text = Texto (tal como lo escribió el remitente)
label-needs = Asistencia necesaria (tal como la escribió el remitente)
label-offer = Asistencia ofrecida (tal como la escribió el remitente)
label-activity = Actividad (tal como la escribió el remitente)
label-indicators = Indicadores (tal como los escribió el remitente)
label-reason = Motivo (tal como lo escribió el remitente)

notification-title = Notificación de incidente
notification-body = { $from } le notifica un incidente y le pide que acuse recibo.
notification-severity = Gravedad evaluada: nivel { $level } de 5.
acknowledgement-title = Acuse de recibo
acknowledgement-body = { $from } acusa recibo del mensaje { $of }.
clarification-request-title = Solicitud de aclaración
clarification-request-body = { $from } solicita aclaraciones sobre los puntos siguientes.
response-title = Respuesta
response-body = { $from } responde al mensaje { $of }.
assistance-request-title = Solicitud de asistencia
assistance-request-body = { $from } solicita asistencia en virtud de la norma 13 h) del informe de 2015 del GEG de las Naciones Unidas.
assistance-offer-title = Ofrecimiento de asistencia
assistance-offer-body = { $from } ofrece asistencia.
assistance-offer-body-to-request = { $from } ofrece asistencia en respuesta a la solicitud { $of }.
mitigation-request-title = Solicitud de mitigación de una actividad maliciosa
mitigation-request-body = { $from } pide a { $territory } que detenga la actividad maliciosa en la esfera de las TIC procedente de su territorio (normas 13 c) y 13 h) del GEG de las Naciones Unidas, 2015).
communication-check-title = Verificación de comunicaciones
communication-check-body = { $from } comprueba que este punto de contacto está localizable. Responda a la verificación { $check_id }.
check-reply-title = Respuesta a una verificación de comunicaciones
check-reply-body = { $from } confirma que está localizable (verificación { $check_id }).
closure-title = Hilo cerrado
closure-body = { $from } cierra este hilo.
label-done = Hecho (tal como lo escribió el remitente)
label-not-done = No hecho (tal como lo escribió el remitente)
request-outcome-title = Resultado de una solicitud
request-outcome-body-accepted = { $from } acepta la solicitud { $of }.
request-outcome-body-partly = { $from } ha cumplido parte de la solicitud { $of }.
request-outcome-body-declined = { $from } rechaza la solicitud { $of }.
request-outcome-body-completed = { $from } ha cumplido por completo la solicitud { $of }.
