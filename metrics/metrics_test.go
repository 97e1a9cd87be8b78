package metrics

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestNilIsSafe(t *testing.T) {
	var m *Metrics
	st := m.Stage("a", "dev")
	rt := m.Route("a", "$default")
	st.Connected()
	st.Refused(403)
	st.Disconnected(1000)
	st.MessageIn()
	st.MessageOut()
	st.QueueBytes(10)
	st.SlowConsumer()
	st.HTTPRequest("", 200)
	st.Throttled("GET /")
	rt.Invoked(OK, time.Millisecond)
	m.Management("POST", "PostToConnection", 200)
	m.Authorizer("a", "JWT", "allow", false)
	m.NATS(nil, nil)
}

func TestLabelsAreBounded(t *testing.T) {
	m := New()
	st := m.Stage("a", "dev")
	for _, code := range []int{1000, 1006, 3001, 3999, 4000, 4999, 5000, 0} {
		st.Connected()
		st.Disconnected(code)
	}
	m.Management("BREW", "Other", 999)
	for labels, want := range map[[3]string]float64{
		{"a", "dev", "1000"}: 1, {"a", "dev", "1006"}: 1, {"a", "dev", "3xxx"}: 2, {"a", "dev", "4xxx"}: 2, {"a", "dev", "other"}: 2,
	} {
		if got := testutil.ToFloat64(m.disconnects.WithLabelValues(labels[:]...)); got != want {
			t.Errorf("disconnects%v = %v, want %v", labels, got, want)
		}
	}
	if got := testutil.ToFloat64(m.management.WithLabelValues("other", "Other", "other")); got != 1 {
		t.Errorf("management{other,Other,other} = %v", got)
	}
	if got := testutil.ToFloat64(m.connectionsOpen.WithLabelValues("a", "dev")); got != 0 {
		t.Errorf("open = %v", got)
	}
	timeout := func(err error) bool { return err.Error() == "timeout" }
	for err, want := range map[error]Outcome{nil: OK, errors.New("timeout"): Timeout, errors.New("x"): Error} {
		if got := OutcomeOf(err, timeout); got != want {
			t.Errorf("OutcomeOf(%v) = %v, want %v", err, got, want)
		}
	}
}
