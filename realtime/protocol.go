package realtime

import (
	"encoding/json"
)

// Frame types of the wire protocol (docs/realtime.md). Every frame is one
// JSON object with a "type".
const (
	// client → server
	typeSubscribe   = "subscribe"
	typeUnsubscribe = "unsubscribe"
	typePublish     = "publish"
	typeEmit        = "emit"
	typePresence    = "presence"
	// server → client
	typeHello   = "hello"
	typeAck     = "ack"
	typeError   = "error"
	typeMessage = "message"
	typeJoin    = "join"
	typeLeave   = "leave"
)

// inFrame is a frame from a client.
type inFrame struct {
	Type  string          `json:"type"`
	ID    uint64          `json:"id,omitempty"`
	Topic string          `json:"topic,omitempty"`
	Event string          `json:"event,omitempty"`
	Data  json.RawMessage `json:"data,omitempty"`
	// Recover asks a subscribe to resume after this position.
	Recover *Position `json:"recover,omitempty"`
}

// ackFrame answers a client frame that had an id.
type ackFrame struct {
	Type  string `json:"type"`
	ID    uint64 `json:"id"`
	Topic string `json:"topic,omitempty"`
	// Epoch and Offset: for subscribe, the position the client is at once
	// the missed messages (if recovered) have arrived; for publish, the
	// published message's position.
	Epoch  string `json:"epoch,omitempty"`
	Offset uint64 `json:"offset,omitempty"`
	// Recovered answers a subscribe that asked to recover.
	Recovered *bool `json:"recovered,omitempty"`
	// Missed is how many messages follow the ack to recover.
	Missed int             `json:"missed,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
}

type errorFrame struct {
	Type    string `json:"type"`
	ID      uint64 `json:"id,omitempty"`
	Topic   string `json:"topic,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

type messageFrame struct {
	Type   string          `json:"type"`
	Topic  string          `json:"topic"`
	Epoch  string          `json:"epoch"`
	Offset uint64          `json:"offset"`
	Data   json.RawMessage `json:"data"`
}

type presenceFrame struct {
	Type   string `json:"type"`
	Topic  string `json:"topic"`
	Member Member `json:"member"`
}

type helloFrame struct {
	Type   string `json:"type"`
	Client string `json:"client"`
	User   string `json:"user,omitempty"`
	// Ping is the server's heartbeat interval in seconds.
	Ping int `json:"ping"`
	// Token authorizes the SSE send endpoint for this connection (SSE only).
	Token string `json:"token,omitempty"`
}

// encode marshals a frame the package built; those always marshal.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("realtime: encoding a frame: " + err.Error()) // a bug in this package
	}
	return b
}

func encodeError(id uint64, topic string, e *Error) []byte {
	return encode(errorFrame{Type: typeError, ID: id, Topic: topic, Code: e.Code, Message: e.Message})
}
