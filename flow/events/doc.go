// Package events is what cewiz knows about an instance's events once it
// exists: the notifications Cloud Elements POSTs to
// event.notification.callback.url (their payload, their signature, a local
// receiver that checks both) and the instance's event log
// (GET /instances/{id}/events), read one way for `cewiz events watch` and
// for the doctor. It has no UI import: the command and the wizard print
// what it returns.
//
// # The public record
//
//   - Signature: with event.notification.signature.key set, each
//     notification carries the header
//     Elements-Webhook-Signature: sha256=<base64 HMAC-SHA256(key, raw body)>
//     (cloud-elements/devportal docs/platform/event-management/security.md,
//     "Event Management - Security": "sha256=jHdbRx5E…" computed over the raw
//     body with the Callback Notification Signature Key; the current churros
//     test varunpal72/churros src/test/platform/events/events.js computes
//     'sha256=' + createHmac('sha256', key).update(body).digest('base64')).
//     Earlier versions of the same churros test used 'sha1=' with HMAC-SHA1:
//     Verify checks that legacy form too and says which one it saw.
//   - Each notification also carries Elements-Webhook-Id (the same churros
//     test expects it not empty) and a body {"message": {"eventId", ...}}
//     whose eventId is unique per notification (churros keys a map on
//     message.eventId and expects no duplicate): both are what a replay
//     repeats, so the receiver refuses a second one.
//   - The message's other fields, instanceId, elementKey and events[] of
//     {objectType, objectId, eventType, elementKey} (cloud-elements-api.md
//     §10), are read tolerantly: ids may be numbers or strings, and unknown
//     fields are ignored.
//   - The event log: GET /instances/{id}/events with no query parameter (the
//     platform swagger's getInstancesEvents2), each event {id, eventDate,
//     status, providerData, notifiedData}, status one of NEW, RECEIVED,
//     DISPATCHED, CONSUMED, NOTIFIED and no failure status (churros
//     src/test/platform/events/assets/event.schema.json). Its order is not
//     published, so it is sorted by eventDate. churros reads it with the
//     User and Organization secrets only; the instance token is added only
//     when that is refused and a saved summary holds one (ReadLog).
package events
