package realtime

import (
	"context"
	"encoding/json"
	"time"
)

// Broker moves messages between the instances of an application and keeps
// each topic's bounded history. The Hub uses one Broker for every topic;
// it subscribes once per topic per instance and fans out to its own
// connections itself, so a Broker never sees individual clients.
//
// Implementations must be safe for concurrent use. Publish assigns each
// topic's messages strictly increasing offsets (starting at 1) within an
// epoch, and delivers them to that topic's subscribers in offset order. The
// deliver function given to Subscribe must not block for long: the Hub's
// never does (it only queues).
//
// The memory broker (NewMemoryBroker) serves one instance; the Redis and
// NATS brokers (NewRedisBroker, NewNATSBroker, or OpenBroker from a URL)
// serve several.
type Broker interface {
	// Publish appends data (a JSON value) to topic's history as the
	// options say, and delivers it to every instance subscribed to topic.
	// It returns the message as stored, with its epoch and offset.
	Publish(ctx context.Context, topic string, data json.RawMessage, opts PublishOptions) (Message, error)
	// Subscribe calls deliver with every event of topic (messages, and
	// presence changes when the Broker keeps presence) until the returned
	// cancel function is called.
	Subscribe(ctx context.Context, topic string, deliver func(Event)) (cancel func(), err error)
	// History returns topic's current position and, oldest first, up to
	// limit retained messages whose offset is greater than after (limit 0
	// returns only the position). A topic never published to is at offset
	// 0 of a fresh epoch.
	History(ctx context.Context, topic string, after uint64, limit int) (HistoryResult, error)
	// Close releases the Broker's resources. Later calls fail.
	Close() error
}

// Presence keeps who is subscribed to each topic, across instances. A
// Broker may implement it too (the memory broker does); the Hub then uses
// it for Options.Presence when that is nil. Join and Leave also deliver
// EventJoin and EventLeave to the topic's subscribers.
type Presence interface {
	// Join records m as present in topic. Joining again refreshes the
	// entry (brokers that expire entries of crashed instances need it).
	Join(ctx context.Context, topic string, m Member) error
	// Leave removes the member with clientID from topic.
	Leave(ctx context.Context, topic string, clientID string) error
	// Members returns the members present in topic, in no set order.
	Members(ctx context.Context, topic string) ([]Member, error)
}

// PublishOptions says how long a published message stays in its topic's
// history: at most History messages are kept, none older than HistoryTTL
// (0: no age limit). History 0 keeps no history; the message still gets
// an offset.
type PublishOptions struct {
	History    int
	HistoryTTL time.Duration
}

// Message is one published message as a Broker stores and delivers it.
type Message struct {
	Topic  string
	Epoch  string
	Offset uint64
	Data   json.RawMessage
	Time   time.Time
}

// Position is a point in a topic's stream: the epoch names one unbroken
// sequence of offsets. When a broker loses a topic's history (a restart of
// the memory broker, say) the epoch changes, and positions of the old
// epoch cannot be recovered.
type Position struct {
	Epoch  string `json:"epoch"`
	Offset uint64 `json:"offset"`
}

// HistoryResult is what Broker.History returns.
type HistoryResult struct {
	// Latest is the position of the topic's newest message.
	Latest Position
	// Messages are retained messages after the requested offset, oldest
	// first.
	Messages []Message
}

// EventKind says what an Event carries.
type EventKind uint8

const (
	// EventMessage is a published message.
	EventMessage EventKind = iota + 1
	// EventJoin is a member joining the topic's presence.
	EventJoin
	// EventLeave is a member leaving it.
	EventLeave
)

// Event is what a Broker delivers to a topic's subscribers.
type Event struct {
	Kind    EventKind
	Message Message // EventMessage
	Member  Member  // EventJoin, EventLeave
}

// Member is one connection present in a topic.
type Member struct {
	// ClientID identifies the connection (unique per connection).
	ClientID string `json:"client"`
	// UserID is the connection's Identity.UserID ("" for anonymous).
	UserID string `json:"user,omitempty"`
	// Info is the Identity's public Info, if any.
	Info json.RawMessage `json:"info,omitempty"`
}
