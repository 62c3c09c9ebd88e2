package messages

func (s *CookieStore) EncodeForTest(msgs []Message) string { return s.encode(msgs) }
