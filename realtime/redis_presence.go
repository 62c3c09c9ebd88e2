package realtime

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Presence in Redis (see RedisBroker): P+"p:"+topic is a hash of client
// ID → "instance member-JSON"; P+"instances" a sorted set of instance →
// the time (ms) its liveness runs out; P+"i:"+instance the set of topics
// the instance has members in, so that reaping it finds them.

// joinScript: KEYS members hash, instances, instance topics; ARGV
// instance, client ID, member JSON, topic, channel, presence TTL (ms).
var joinScript = redis.NewScript(luaNow + `
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[6]), ARGV[1])
redis.call('SADD', KEYS[3], ARGV[4])
if redis.call('HSET', KEYS[1], ARGV[2], ARGV[1] .. ' ' .. ARGV[3]) == 1 then
  redis.call('PUBLISH', ARGV[5], 'j ' .. ARGV[3])
end
return 1
`)

// leaveScript: KEYS members hash; ARGV client ID, channel.
var leaveScript = redis.NewScript(`
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], 'l ' .. string.sub(v, string.find(v, ' ') + 1))
return 1
`)

// membersScript: KEYS members hash, instances; returns the member JSON of
// live instances.
var membersScript = redis.NewScript(luaNow + `
local all = redis.call('HGETALL', KEYS[1])
local live, out = {}, {}
for i = 1, #all, 2 do
  local v = all[i + 1]
  local sp = string.find(v, ' ')
  local inst = string.sub(v, 1, sp - 1)
  if live[inst] == nil then
    local s = redis.call('ZSCORE', KEYS[2], inst)
    live[inst] = s ~= false and tonumber(s) > now
  end
  if live[inst] then out[#out + 1] = string.sub(v, sp + 1) end
end
return out
`)

// reapScript removes the members of instances whose liveness ran out
// (or of ARGV[2] when given: a closing instance), publishing leave
// events. KEYS instances; ARGV key prefix, instance to reap or "".
var reapScript = redis.NewScript(luaNow + `
local p = ARGV[1]
local dead
if ARGV[2] ~= '' then
  dead = {ARGV[2]}
else
  dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 10)
end
local n = 0
for _, inst in ipairs(dead) do
  redis.call('ZREM', KEYS[1], inst)
  local topics = redis.call('SMEMBERS', p .. 'i:' .. inst)
  for _, topic in ipairs(topics) do
    local h = p .. 'p:' .. topic
    local all = redis.call('HGETALL', h)
    for i = 1, #all, 2 do
      local v = all[i + 1]
      local sp = string.find(v, ' ')
      if string.sub(v, 1, sp - 1) == inst then
        redis.call('HDEL', h, all[i])
        redis.call('PUBLISH', p .. 'c:' .. topic, 'l ' .. string.sub(v, sp + 1))
        n = n + 1
      end
    end
  end
  redis.call('DEL', p .. 'i:' .. inst)
end
return n
`)

// Join implements Presence.
func (b *RedisBroker) Join(ctx context.Context, topic string, m Member) error {
	if b.isClosed() {
		return ErrClosed
	}
	js, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("realtime: redis presence join: %w", err)
	}
	keys := []string{b.key("p:", topic), b.prefix + "instances", b.key("i:", b.instance)}
	err = joinScript.Run(ctx, b.rdb, keys, b.instance, m.ClientID, js, topic, b.key("c:", topic), b.ttl.Milliseconds()).Err()
	if err != nil {
		return fmt.Errorf("realtime: redis presence join: %w", err)
	}
	return nil
}

// Leave implements Presence.
func (b *RedisBroker) Leave(ctx context.Context, topic, clientID string) error {
	if b.isClosed() {
		return ErrClosed
	}
	err := leaveScript.Run(ctx, b.rdb, []string{b.key("p:", topic)}, clientID, b.key("c:", topic)).Err()
	if err != nil {
		return fmt.Errorf("realtime: redis presence leave: %w", err)
	}
	return nil
}

// Members implements Presence: the members of live instances.
func (b *RedisBroker) Members(ctx context.Context, topic string) ([]Member, error) {
	if b.isClosed() {
		return nil, ErrClosed
	}
	res, err := membersScript.Run(ctx, b.rdb, []string{b.key("p:", topic), b.prefix + "instances"}).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("realtime: redis presence members: %w", err)
	}
	out := make([]Member, 0, len(res))
	for _, s := range res {
		var m Member
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			return nil, fmt.Errorf("realtime: redis presence members of %q: %w", topic, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// heartbeat renews this instance's liveness.
func (b *RedisBroker) heartbeat(ctx context.Context) error {
	now, err := b.rdb.Time(ctx).Result()
	if err != nil {
		return err
	}
	return b.rdb.ZAdd(ctx, b.prefix+"instances", redis.Z{Score: float64(now.Add(b.ttl).UnixMilli()), Member: b.instance}).Err()
}

// reap removes the members of instance, or of every expired instance
// when instance is "".
func (b *RedisBroker) reap(ctx context.Context, instance string) error {
	return reapScript.Run(ctx, b.rdb, []string{b.prefix + "instances"}, b.prefix, instance).Err()
}

// beat heartbeats, reaps crashed instances and pings the pub/sub
// connection (which detects a dead one); it runs every PresenceTTL/3.
func (b *RedisBroker) beat(ctx context.Context) error {
	if err := b.heartbeat(ctx); err != nil {
		return err
	}
	if err := b.reap(ctx, ""); err != nil {
		return err
	}
	return b.ps.Ping(ctx)
}
