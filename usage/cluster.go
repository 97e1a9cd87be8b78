package usage

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
)

// ErrClosed is returned by Join on a Meter that Close has stopped.
var ErrClosed = errors.New("usage: meter closed")

// QuotaSubject is the subject, under the cluster's prefix, that carries
// quota counts: {prefix}.usage.quota.
const QuotaSubject = "usage.quota"

// quotaMessage is what travels on {prefix}.usage.quota, as JSON:
//
//	{"node":"3f9a1c2b7d4e5f60","full":true,"counts":[
//	  {"usagePlanId":"gold","keyId":"alice","periodStart":"2026-12-03T00:00:00Z","node":"3f9a1c2b7d4e5f60","count":17}]}
//
// node is the sender. A message without full carries the sender's own
// counts that changed; with full, every count the sender knows, its own
// and those it heard from others (so a node that joins late learns the
// counts of nodes that are gone). sync, sent once by a node that has just
// joined, asks the others for a full message at their next publish.
// Counts are absolute, per (plan, key, period start, counting node), and
// only ever grow within a period: a receiver keeps the largest it has
// seen, so a lost, repeated or reordered message does no harm.
type quotaMessage struct {
	Node   string       `json:"node"`
	Full   bool         `json:"full,omitempty"`
	Sync   bool         `json:"sync,omitempty"`
	Counts []quotaEntry `json:"counts"`
}

type quotaEntry struct {
	UsagePlanID string    `json:"usagePlanId"`
	KeyID       string    `json:"keyId"`
	PeriodStart time.Time `json:"periodStart"`
	Node        string    `json:"node"`
	Count       int       `json:"count"`
}

// maxEntries bounds one message (NATS's default payload limit is 1 MB);
// a larger snapshot goes out in several.
const maxEntries = 2000

// Join shares the Meter's quota counts with the other nodes over nc, on
// {prefix}.usage.quota (prefix "" means "portico"): it subscribes, asks
// the others for their counts, and starts the goroutine that publishes
// this node's, which Close stops. Requests never wait for NATS: while it
// is away, counting goes on locally and the counts are sent in full when
// it returns. Join may be called once.
func (m *Meter) Join(nc *nats.Conn, prefix string) error {
	if prefix == "" {
		prefix = "portico"
	}
	m.mu.Lock()
	switch {
	case m.closed:
		m.mu.Unlock()
		return ErrClosed
	case m.joined:
		m.mu.Unlock()
		return errors.New("usage: Join called twice")
	}
	m.joined = true
	m.mu.Unlock()
	m.subject = prefix + "." + QuotaSubject
	sub, err := nc.Subscribe(m.subject, m.receive)
	if err != nil {
		return err
	}
	if nc.IsConnected() {
		_ = nc.Flush() // the subscription is in place before anyone answers the sync
	}
	m.publish(nc, true, true)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed { // Close ran meanwhile: start nothing
		_ = sub.Unsubscribe()
		return ErrClosed
	}
	m.sub, m.done = sub, make(chan struct{})
	go m.run(nc, m.done)
	return nil
}

// Close stops sharing counts: it publishes the counts that changed one
// last time, stops the publishing goroutine, waits for it and
// unsubscribes. The Meter keeps counting locally. Close is idempotent.
func (m *Meter) Close() {
	m.closeOnce.Do(func() {
		m.mu.Lock()
		m.closed = true
		sub, done := m.sub, m.done
		m.mu.Unlock()
		close(m.stop)
		if done != nil {
			<-done
		}
		if sub != nil {
			_ = sub.Unsubscribe()
		}
	})
}

// run publishes the changed counts every publish interval and all counts
// every snapshot interval, until Close.
func (m *Meter) run(nc *nats.Conn, done chan struct{}) {
	defer close(done)
	tick := time.NewTicker(m.publishEvery)
	defer tick.Stop()
	snap := time.NewTicker(m.snapshotEvery)
	defer snap.Stop()
	away := false
	for {
		select {
		case <-m.stop:
			if nc.IsConnected() {
				m.publish(nc, false, false)
			}
			return
		case <-tick.C:
		case <-snap.C:
			m.mu.Lock()
			m.wantFull = true
			m.mu.Unlock()
		}
		if !nc.IsConnected() {
			if !away {
				m.log.Warn("NATS is away: usage-plan quotas count this node's requests only until it returns")
				away = true
			}
			continue
		}
		if away {
			// Send every count and ask the others for theirs: a node that
			// reconnected before this one missed this node's counts, and
			// this one missed what was sent while it was away.
			m.log.Info("NATS is back: usage-plan quota counts are shared again")
			away = false
			m.publish(nc, true, true)
			continue
		}
		m.publish(nc, false, false)
	}
}

// publish sends this node's changed counts, or every count it knows when
// full is set or a snapshot is due. sync asks the other nodes for theirs.
func (m *Meter) publish(nc *nats.Conn, full, sync bool) {
	m.mu.Lock()
	full = full || m.wantFull
	if !full && !m.dirty {
		m.mu.Unlock()
		return
	}
	m.wantFull, m.dirty = false, false
	now := time.Now()
	var entries []quotaEntry
	for k, c := range m.quotas {
		if now.Sub(c.start) > 32*24*time.Hour { // past any period (MONTH is at most 31 days)
			delete(m.quotas, k)
			continue
		}
		if full {
			for node, n := range c.byNode {
				entries = append(entries, quotaEntry{UsagePlanID: k.plan, KeyID: k.key, PeriodStart: c.start, Node: node, Count: n})
			}
		} else if c.dirty {
			entries = append(entries, quotaEntry{UsagePlanID: k.plan, KeyID: k.key, PeriodStart: c.start, Node: m.origin, Count: c.byNode[m.origin]})
		}
		c.dirty = false
	}
	m.mu.Unlock()
	for len(entries) > 0 || sync {
		n := min(len(entries), maxEntries)
		msg, _ := json.Marshal(quotaMessage{Node: m.origin, Full: full, Sync: sync, Counts: entries[:n:n]})
		entries, sync = entries[n:], false
		if err := nc.Publish(m.subject, msg); err != nil {
			// The next snapshot carries these counts again.
			m.log.Debug("publishing usage quota counts", "error", err)
			return
		}
	}
}

// receive merges another node's counts.
func (m *Meter) receive(msg *nats.Msg) {
	var qm quotaMessage
	if err := json.Unmarshal(msg.Data, &qm); err != nil || qm.Node == m.origin {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if qm.Sync {
		m.wantFull = true
	}
	for _, e := range qm.Counts {
		if e.Node == m.origin { // this node's own count: it knows better
			continue
		}
		c := m.countLocked(quotaKey{e.UsagePlanID, e.KeyID}, e.PeriodStart)
		if !c.start.Equal(e.PeriodStart) { // an earlier period
			continue
		}
		if old := c.byNode[e.Node]; e.Count > old {
			c.byNode[e.Node] = e.Count
			m.addDailyLocked(quotaKey{e.UsagePlanID, e.KeyID}, time.Now(), e.Count-old)
		}
	}
}
