package realtime

// Crash closes a Redis or NATS broker as a crashed process would: no
// leave for its members, which the other instances must expire.
func Crash(b Broker) {
	switch b := b.(type) {
	case *RedisBroker:
		b.shut(false)
	case *NATSBroker:
		b.shut(false)
	default:
		b.Close()
	}
}
