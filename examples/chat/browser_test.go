package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/portico-gw/portico"
	"github.com/portico-gw/portico/config"
	"github.com/portico-gw/portico/internal/browsertest"
)

// TestChatPageInBrowser opens the chat page in two tabs of a real headless
// Chromium, sends a message from one and waits for it in the other, then
// saves a screenshot of the receiving tab (its path is in the test log).
func TestChatPageInBrowser(t *testing.T) {
	browser := browsertest.New(t)

	b := NewBackend("AKIDPORTICOCHAT", "portico-chat-example-secret", slog.New(slog.DiscardHandler))
	backend := httptest.NewServer(Handler(b))
	defer backend.Close()
	file, err := config.Load("portico.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file.APIs[0].Integrations[0].IntegrationURI = backend.URL + "/events"
	gw, err := portico.New(portico.Config{File: file, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = gw.Shutdown(ctx)
	}()
	page := backend.URL + "/?ws=" + url.QueryEscape("ws://"+gw.Addr().String()+"/dev")

	alice, bob := browsertest.NewTab(t, browser), browsertest.NewTab(t, browser)
	for _, tab := range []context.Context{alice, bob} {
		if err := chromedp.Do(tab, chromedp.Navigate(page)); err != nil {
			t.Fatal(err)
		}
		// Connected, and whoami answered with the tab's connection ID.
		if _, err := browsertest.WaitFor(tab, `document.getElementById("status").textContent.includes(" as ")`, 20*time.Second); err != nil {
			t.Fatalf("page did not connect (status %q): %v", browsertest.Eval(t, tab, `document.getElementById("status").textContent`), err)
		}
	}

	const msg = "hello from a real browser"
	err = chromedp.Do(alice,
		chromedp.SendKeys(chromedp.ID("msg"), msg),
		chromedp.Click(chromedp.CSS("#f button")),
	)
	if err != nil {
		t.Fatal(err)
	}
	got, err := browsertest.WaitFor(bob,
		`[...document.querySelectorAll("#log p")].map(p => p.textContent).find(s => s.endsWith(": `+msg+`"))`, 20*time.Second)
	if err != nil {
		t.Fatalf("the other tab never showed the message (log %q): %v", browsertest.Eval(t, bob, `document.getElementById("log").textContent`), err)
	}
	t.Logf("second tab shows %q", got)
	// The sender sees its own message too, marked as its own (the backend
	// posts to each connection in turn, so it may arrive after the other's).
	if mine, err := browsertest.WaitFor(alice, `document.querySelector("#log p.me")?.textContent`, 20*time.Second); err != nil || mine != "me: "+msg {
		t.Errorf("sending tab shows %q (%v); want %q", mine, err, "me: "+msg)
	}
	browsertest.Screenshot(t, bob, "chat.png")
}
