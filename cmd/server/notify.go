package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/langganan/langganan/adapters/email"
	"github.com/langganan/langganan/adapters/webhooks"
	"github.com/langganan/langganan/core"
	"github.com/rs/zerolog"
)

// notifyInterval is how often the background loop relays the outbox and
// delivers due notifications.
const notifyInterval = time.Second

// startNotifications builds the email sender (SMTP from smtpURL, or the
// log-only sender, which says so) and the outbound webhook sender, installs
// them on the service and runs the notification loop until stop is called
// (stop waits for the loop, so call it before closing the store).
func startNotifications(ctx context.Context, svc *core.Service, smtpURL string, allowHosts []string, log zerolog.Logger) (stop func(), err error) {
	mailer, err := email.New(smtpURL, log.With().Str("component", "email").Logger())
	if err != nil {
		return nil, fmt.Errorf("email sender: %w", err)
	}
	hooks, err := webhooks.New(webhooks.Config{Lookup: svc.WebhookTarget, AllowHosts: allowHosts})
	if err != nil {
		return nil, fmt.Errorf("webhook sender: %w", err)
	}
	svc.SetSenders(map[core.Channel]core.Notifier{core.ChannelEmail: mailer, core.ChannelWebhook: hooks})

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(notifyInterval)
		defer t.Stop()
		lastErr := ""
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			_, _, err := svc.RunNotifications(ctx)
			switch {
			case err != nil && ctx.Err() == nil && err.Error() != lastErr:
				// Logged once per distinct error, not every second.
				log.Error().Err(err).Msg("notification run failed")
				lastErr = err.Error()
			case err == nil:
				lastErr = ""
			}
		}
	}()
	return func() { cancel(); wg.Wait() }, nil
}
