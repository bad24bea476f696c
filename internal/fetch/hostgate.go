package fetch

import (
	"context"
	"sync"
	"time"
)

// hostGate enforces politeness towards one host: at most cap(sem) requests in
// flight and a minimum spacing between request starts.
type hostGate struct {
	sem chan struct{}

	mu        sync.Mutex
	nextStart time.Time
}

// gates hands out one hostGate per host key; gates are never removed, which is
// fine for the few hundred hosts a claim set watches.
type gates struct {
	concurrency int
	delay       time.Duration
	hosts       perKey[hostGate]
}

func (g *gates) get(host string) *hostGate {
	return g.hosts.get(host, func() *hostGate {
		return &hostGate{sem: make(chan struct{}, g.concurrency)}
	})
}

// perKey is a concurrency-safe map from a host or origin to its state,
// created on first use.
type perKey[V any] struct {
	mu sync.Mutex
	m  map[string]*V
}

func (p *perKey[V]) get(key string, create func() *V) *V {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = make(map[string]*V)
	}
	v, ok := p.m[key]
	if !ok {
		v = create()
		p.m[key] = v
	}
	return v
}

// acquire waits for a free slot and for the host's start spacing, and returns
// the function that frees the slot. Waiting is bounded by ctx only.
func (g *gates) acquire(ctx context.Context, host string) (release func(), err error) {
	h := g.get(host)
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release = func() { <-h.sem }

	// Reserve a start slot under the lock, then sleep outside it: the next
	// caller reserves the slot after ours.
	h.mu.Lock()
	now := time.Now()
	start := now
	if h.nextStart.After(now) {
		start = h.nextStart
	}
	h.nextStart = start.Add(g.delay)
	h.mu.Unlock()

	if wait := start.Sub(now); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			release()
			return nil, ctx.Err()
		}
	}
	return release, nil
}
