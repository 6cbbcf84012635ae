package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// Notification is what Cloud Elements POSTs to an instance's
// event.notification.callback.url: {"message": {"eventId", "instanceId",
// "elementKey", "events": [...], "raw": ...}} (cloud-elements-api.md §10).
type Notification struct {
	// EventID is message.eventId: the event log's id of this event.
	EventID string
	// InstanceID is message.instanceId as sent (a number or a string).
	InstanceID string
	ElementKey string
	// Events are the changed objects the notification reports.
	Events []Change
}

// Change is one entry of message.events: an object that changed.
type Change struct {
	ObjectType string `json:"objectType"`
	ObjectID   string `json:"objectId"`
	EventType  string `json:"eventType"` // CREATED, UPDATED, DELETED...
	ElementKey string `json:"elementKey,omitempty"`
}

// changeOf reads a change's fields from a decoded JSON object, tolerantly:
// each is "" when absent or not a scalar.
func changeOf(m map[string]json.RawMessage) Change {
	return Change{
		ObjectType: scalar(m["objectType"]),
		ObjectID:   scalar(m["objectId"]),
		EventType:  strings.ToUpper(scalar(m["eventType"])),
		ElementKey: scalar(m["elementKey"]),
	}
}

// Text names the object and what happened to it, "document UPDATED 42"
// (the parts that are known; "" when none is).
func (c Change) Text() string {
	return strings.TrimSpace(c.ObjectType + " " + c.EventType + " " + c.ObjectID)
}

// Instance is InstanceID as a number (false when it is not one).
func (n Notification) Instance() (int64, bool) {
	id, err := strconv.ParseInt(n.InstanceID, 10, 64)
	return id, err == nil && id > 0
}

// ErrNotNotification: the body is not a notification's JSON.
var ErrNotNotification = errors.New(`the body is not a Cloud Elements notification: a JSON object {"message": {"eventId", "instanceId", "events": [...]}} was expected`)

// ParseNotification reads a notification's body, tolerantly: ids may be
// numbers or strings, unknown fields are ignored, and a body without the
// "message" wrapper but with a top-level eventId (the shape of Cloud
// Elements' older examples) is read as the message itself.
func ParseNotification(body []byte) (Notification, error) {
	var top map[string]json.RawMessage
	if err := decodeNumbers(body, &top); err != nil || top == nil {
		return Notification{}, ErrNotNotification
	}
	msg := top
	if raw, ok := top["message"]; ok {
		msg = nil
		if err := decodeNumbers(raw, &msg); err != nil || msg == nil {
			return Notification{}, ErrNotNotification
		}
	} else if _, ok := top["eventId"]; !ok {
		return Notification{}, ErrNotNotification
	}
	n := Notification{
		EventID:    scalar(msg["eventId"]),
		InstanceID: scalar(msg["instanceId"]),
		ElementKey: scalar(msg["elementKey"]),
	}
	if raw, ok := msg["events"]; ok && !isNull(raw) {
		var list []map[string]json.RawMessage
		if err := decodeNumbers(raw, &list); err != nil {
			return Notification{}, errors.New(`the notification's message.events is not a list of objects`)
		}
		for _, e := range list {
			n.Events = append(n.Events, changeOf(e))
		}
	}
	return n, nil
}

func decodeNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// scalar reads a JSON string, number or boolean as its text ("" for
// anything else).
func scalar(raw json.RawMessage) string {
	var v any
	if len(raw) == 0 || decodeNumbers(raw, &v) != nil {
		return ""
	}
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}
