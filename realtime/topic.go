package realtime

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// maxTopicLen bounds topic names.
const maxTopicLen = 200

// ValidTopic reports whether name is a valid topic: 1 to 200 characters
// among ASCII letters, digits and - _ . : / =. The part before the first
// ":" is the topic's namespace ("chat" in "chat:lobby"); a name without
// ":" is in the empty namespace.
func ValidTopic(name string) bool {
	if name == "" || len(name) > maxTopicLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !topicChar(name[i]) {
			return false
		}
	}
	return true
}

func topicChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == ':' || c == '/' || c == '='
}

// Namespace returns topic's namespace: the part before the first ":", or
// "" when there is none.
func Namespace(topic string) string {
	ns, _, ok := strings.Cut(topic, ":")
	if !ok {
		return ""
	}
	return ns
}

// Policy decides whether client c may subscribe or publish to topic: nil
// allows it; an error refuses it and is reported to the client (an *Error's
// code and message as they are, any other error as "forbidden" with a
// generic message, and logged). Policies run on the connection's reading
// goroutine; ctx ends when the connection does.
type Policy func(ctx context.Context, c *Client, topic string) error

// Anyone is a Policy that allows every client, signed in or not.
func Anyone(ctx context.Context, c *Client, topic string) error { return nil }

// SignedIn is a Policy that allows clients whose Identity has a UserID.
func SignedIn(ctx context.Context, c *Client, topic string) error {
	if c.Identity().UserID == "" {
		return ErrUnauthorized
	}
	return nil
}

// Rule configures the topics matching one pattern (Hub.Topic).
//
// The zero Rule lets clients do nothing: a topic with no Subscribe policy
// cannot be subscribed to by clients, one with no Publish policy cannot be
// published to by clients. The server (Hub.Publish) may always publish.
type Rule struct {
	// Subscribe decides who may subscribe; nil: no client.
	Subscribe Policy
	// Publish decides who may publish; nil: no client.
	Publish Policy
	// Presence tracks the topic's subscribers: clients receive join and
	// leave events and may ask for the current members.
	Presence bool
	// History is how many messages the topic keeps for recovery: 0 means
	// the Hub's default (Options.HistorySize), a negative value none.
	History int
	// HistoryTTL is how long a message is kept for recovery: 0 means the
	// Hub's default (Options.HistoryTTL), a negative value no age limit.
	HistoryTTL time.Duration
}

// rule is a Rule with its pattern.
type rule struct {
	pattern string // without the "*"
	full    string // as given to Hub.Topic
	prefix  bool   // pattern ended in "*": matches topics starting with pattern[:len-1]
	Rule
}

// checkPattern validates a Hub.Topic pattern: a topic name, optionally
// ending in "*".
func checkPattern(p string) error {
	name := strings.TrimSuffix(p, "*")
	if strings.Contains(name, "*") || (name != "" && !ValidTopic(name)) || p == "" {
		return fmt.Errorf("realtime: topic pattern %q: want a topic name, optionally ending in * (chat:*, chat:lobby, *)", p)
	}
	return nil
}

// match returns the rule for topic: an exact pattern, else the longest
// matching "*" pattern, else nil.
func matchRule(rules []*rule, topic string) *rule {
	var best *rule
	for _, r := range rules {
		if !r.prefix {
			if r.pattern == topic {
				return r
			}
			continue
		}
		if strings.HasPrefix(topic, r.pattern) && (best == nil || len(r.pattern) > len(best.pattern)) {
			best = r
		}
	}
	return best
}
