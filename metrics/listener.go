package metrics

import "github.com/prometheus/client_golang/prometheus"

// Listener registers the data-plane listener's connection metrics: open
// connections and the cap (read at scrape time; a cap of 0 means none),
// and portico_connections_rejected_total, whose increment it returns: call
// it once per connection refused for being over the cap. Call Listener
// once, when the listener exists.
func (m *Metrics) Listener(open, limit func() int) (rejected func()) {
	if m == nil {
		return func() {}
	}
	c := prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "connections_rejected_total",
		Help: "Data-plane connections answered 503 (or closed) because the node was at maxConnections."})
	m.reg.MustRegister(c,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "connections_open",
			Help: "Open data-plane TCP connections (HTTP keep-alive and WebSocket)."}, func() float64 { return float64(open()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: namespace, Name: "connections_max",
			Help: "The data plane's connection cap (maxConnections); 0 means none."}, func() float64 { return float64(limit()) }),
	)
	return c.Inc
}
