package usage

import (
	"testing"
	"time"

	"github.com/portico-gw/portico/config"
)

func TestPeriodStart(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	// 2026-12-02 is a Wednesday.
	now := time.Date(2026, 12, 2, 18, 30, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name, period string
		offset       int
		now          time.Time
		want         time.Time
	}{
		{"day", "DAY", 0, now, day(2026, 12, 2)},
		{"day in UTC", "DAY", 0, time.Date(2026, 12, 3, 0, 30, 0, 0, time.FixedZone("CET", 3600)), day(2026, 12, 2)},
		{"week from Sunday", "WEEK", 0, now, day(2026, 11, 29)},
		{"week from Monday", "WEEK", 1, now, day(2026, 11, 30)},
		{"week from Wednesday", "WEEK", 3, now, day(2026, 12, 2)},
		{"week from Thursday", "WEEK", 4, now, day(2026, 11, 26)},
		{"month", "MONTH", 0, now, day(2026, 12, 1)},
		{"month from the 2nd", "MONTH", 1, now, day(2026, 12, 2)},
		{"month from the 28th", "MONTH", 27, now, day(2026, 11, 28)},
		{"month from the 28th across a year", "MONTH", 27, day(2027, 1, 5), day(2026, 12, 28)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PeriodStart(tc.period, tc.offset, tc.now); !got.Equal(tc.want) {
				t.Errorf("PeriodStart(%s, %d, %v) = %v, want %v", tc.period, tc.offset, tc.now, got, tc.want)
			}
		})
	}
}

func TestMeterQuota(t *testing.T) {
	m := NewMeter(MeterConfig{})
	plan := &PlanStage{PlanID: "plan", Quota: &config.QuotaSettings{Limit: 2, Period: "DAY"}}
	g := Grant{KeyID: "key", Plan: plan}
	now := time.Date(2026, 12, 2, 23, 0, 0, 0, time.UTC)
	for i, want := range []bool{true, true, false, false} {
		if got := m.Count(g, now); got != want {
			t.Errorf("request %d: %v, want %v", i+1, got, want)
		}
	}
	if !m.Count(Grant{KeyID: "other", Plan: plan}, now) {
		t.Error("another key shares the count")
	}
	// Another stage of the same plan shares the count.
	if m.Count(Grant{KeyID: "key", Plan: &PlanStage{PlanID: "plan", Stage: "ws", Quota: plan.Quota}}, now) {
		t.Error("another stage of the plan has its own count")
	}
	if !m.Count(Grant{KeyID: "flat"}, now) {
		t.Error("a key without a plan is counted")
	}
	if !m.Count(g, now.Add(2*time.Hour)) {
		t.Error("the next day is still counted against the previous one")
	}
}

// Daily counts by UTC day, keeps HistoryDays of them; a credit raises
// the quota of its period only.
func TestMeterDailyAndCredit(t *testing.T) {
	m := NewMeter(MeterConfig{})
	plan := &PlanStage{PlanID: "plan", Quota: &config.QuotaSettings{Limit: 2, Period: "MONTH"}}
	g := Grant{KeyID: "key", Plan: plan}
	day1 := time.Date(2026, 12, 2, 23, 0, 0, 0, time.UTC)
	day2 := day1.Add(2 * time.Hour)
	m.Count(g, day1)
	m.Count(g, day2)
	if m.Count(g, day2) {
		t.Fatal("a third request admitted under a limit of 2")
	}
	if got := m.Daily("plan", "key", day1.AddDate(0, 0, -1), day2); len(got) != 3 || got[0] != 0 || got[1] != 1 || got[2] != 1 {
		t.Fatalf("Daily: %v, want [0 1 1]", got)
	}
	start := PeriodStart("MONTH", 0, day2)
	if n := m.PeriodUsed("plan", "key", start); n != 2 {
		t.Fatalf("PeriodUsed: %d", n)
	}
	m.SetCredit("plan", "key", start.AddDate(0, -1, 0), 5) // another period: no effect
	if m.Count(g, day2) {
		t.Fatal("a credit of the previous period counted")
	}
	m.SetCredit("plan", "key", start, 1)
	if !m.Count(g, day2) || m.Count(g, day2) {
		t.Fatal("a credit of 1 does not admit exactly one more request")
	}
	// Days older than HistoryDays are dropped when a new day is counted.
	later := day2.AddDate(0, 0, HistoryDays+2)
	m.Count(Grant{KeyID: "key", Plan: &PlanStage{PlanID: "plan", Quota: &config.QuotaSettings{Limit: 100, Period: "DAY"}}}, later)
	m.mu.Lock()
	n := len(m.daily[quotaKey{"plan", "key"}])
	m.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d days kept, want 1", n)
	}
}

func TestSplitMethodKey(t *testing.T) {
	tests := []struct{ key, path, verb string }{
		{"/pets/GET", "/pets", "GET"},
		{"~1pets~1{id}/GET", "/pets/{id}", "GET"},
		{"/GET", "/", "GET"},
		{"//GET", "/", "GET"},
		{"/pets/*", "/pets", "*"},
	}
	for _, tc := range tests {
		if path, verb, ok := SplitMethodKey(tc.key); !ok || path != tc.path || verb != tc.verb {
			t.Errorf("SplitMethodKey(%q) = %q %q %v", tc.key, path, verb, ok)
		}
	}
	if _, _, ok := SplitMethodKey("*/*"); ok {
		t.Error(`"*/*" reads as a method`)
	}
}
