package main

import (
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/portico-gw/portico/internal/browsertest"
)

// TestDashboardPageInBrowser opens the dashboard page in a real headless
// Chromium and checks that it shows samples that change over time, published
// over NATS only; then saves a screenshot (its path is in the test log).
func TestDashboardPageInBrowser(t *testing.T) {
	browser := browsertest.New(t)
	gw, natsURL := startGateway(t)
	startPublisher(t, natsURL, 200*time.Millisecond)
	site := httptest.NewServer(Handler())
	defer site.Close()

	tab := browsertest.NewTab(t, browser)
	page := site.URL + "/?ws=" + url.QueryEscape("ws://"+gw.Addr().String()+"/live")
	if err := chromedp.Do(tab, chromedp.Navigate(page)); err != nil {
		t.Fatal(err)
	}
	// readings waits for minUpdates updates, then returns what the page
	// shows: the sample number and two of the values.
	readings := func(minUpdates int) [3]string {
		t.Helper()
		_, err := browsertest.WaitFor(tab, `Number(document.getElementById("updates").textContent) >= `+strconv.Itoa(minUpdates), 20*time.Second)
		if err != nil {
			t.Fatalf("page never reached %d updates (status %q): %v", minUpdates,
				browsertest.Eval(t, tab, `document.getElementById("status").textContent`), err)
		}
		var r [3]string
		for i, id := range []string{"seq", "cpu", "rps"} {
			r[i] = browsertest.Eval(t, tab, `document.getElementById("`+id+`").textContent`)
		}
		return r
	}
	first := readings(1)
	n, _ := strconv.Atoi(first[0])
	second := readings(n + 2)
	t.Logf("page showed sample %s (cpu %s, rps %s), then %s (cpu %s, rps %s)", first[0], first[1], first[2], second[0], second[1], second[2])
	if first[0] == second[0] {
		t.Errorf("sample number did not change: %v then %v", first, second)
	}
	if first[1] == second[1] && first[2] == second[2] {
		t.Errorf("values did not change: %v then %v", first, second)
	}
	browsertest.Screenshot(t, tab, "dashboard.png")
}
