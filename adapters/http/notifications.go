package http

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/langganan/langganan/core"
)

// NotificationService is what the handlers of this area need from core.
type NotificationService interface {
	ListNotifications(ctx context.Context, a core.Actor, f core.NotificationFilter) ([]core.Notification, int, error)
	GetNotification(ctx context.Context, a core.Actor, id string) (core.Notification, error)
	UnreadNotifications(ctx context.Context, a core.Actor) ([]core.Notification, error)
	MarkNotificationRead(ctx context.Context, a core.Actor, id string) (core.Notification, error)

	CreateWebhookEndpoint(ctx context.Context, a core.Actor, in core.WebhookEndpointInput) (core.WebhookEndpoint, error)
	ListWebhookEndpoints(ctx context.Context, a core.Actor) ([]core.WebhookEndpoint, error)
	GetWebhookEndpoint(ctx context.Context, a core.Actor, id string) (core.WebhookEndpoint, error)
	UpdateWebhookEndpoint(ctx context.Context, a core.Actor, id string, in core.WebhookEndpointInput) (core.WebhookEndpoint, error)
	DeleteWebhookEndpoint(ctx context.Context, a core.Actor, id string) error
	ListWebhookDeliveries(ctx context.Context, a core.Actor, endpointID string, offset, limit int) ([]core.Notification, int, error)
	ResendWebhookDelivery(ctx context.Context, a core.Actor, endpointID, deliveryID string) (core.Notification, error)
}

// deliveryJSON is a notification on the webhook channel, as the endpoint
// deliveries list shows it.
type deliveryJSON struct{ notificationJSON }

// notificationJSON is the reference's NotificationLog.
type notificationJSON struct {
	ID               string         `json:"id"`
	EventID          string         `json:"event_id"`
	NotificationType string         `json:"notification_type" oa:"example=payment.succeeded"`
	Channel          string         `json:"channel" oa:"enum=channel"`
	Recipient        string         `json:"recipient"`
	Subject          string         `json:"subject"`
	Body             string         `json:"body"`
	Payload          map[string]any `json:"payload" doc:"Free-form JSON object"`
	Status           string         `json:"status" oa:"enum=notification_status"`
	Attempts         int            `json:"attempts"`
	LastError        string         `json:"last_error"`
	NextAttemptAt    *time.Time     `json:"next_attempt_at" doc:"When a queued delivery is tried next; null otherwise"`
	CreatedAt        time.Time      `json:"created_at"`
	SentAt           *time.Time     `json:"sent_at"`
	ReadAt           *time.Time     `json:"read_at"`
}

func notifTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toNotificationJSON(n core.Notification) notificationJSON {
	p := redactGateway(n.Payload) // event data may carry gateway fields
	if p == nil {
		p = map[string]any{}
	}
	out := notificationJSON{
		ID: n.ID, EventID: n.EventID, NotificationType: n.Type, Channel: string(n.Channel), Recipient: n.Recipient,
		Subject: n.Subject, Body: n.Body, Payload: p, Status: string(n.Status), Attempts: n.Attempts,
		LastError: n.LastError, CreatedAt: n.CreatedAt, SentAt: notifTime(n.SentAt), ReadAt: notifTime(n.ReadAt),
	}
	// In-app notifications are parked far in the future; only deliveries
	// waiting for an attempt show when it comes.
	if n.Channel != core.ChannelInApp && n.Status == core.NotifQueued {
		out.NextAttemptAt = notifTime(n.NextAttemptAt)
	}
	return out
}

func toNotificationsJSON(list []core.Notification) []notificationJSON {
	out := make([]notificationJSON, len(list))
	for i, n := range list {
		out[i] = toNotificationJSON(n)
	}
	return out
}

func (s *Server) listNotifications(c *fiber.Ctx) error {
	q, err := parseListQuery(c, "notification_type", "channel", "status")
	if err != nil {
		return err
	}
	list, total, err := s.svc.ListNotifications(c.UserContext(), actor(c), core.NotificationFilter{
		Type: q.Get("notification_type"), Channel: q.Get("channel"), Status: q.Get("status"),
		Offset: q.Offset(), Limit: q.PageSize,
	})
	if err != nil {
		return err
	}
	return c.JSON(newPage(c, q, total, toNotificationsJSON(list)))
}

// unreadNotifications answers a plain array of at most 50.
func (s *Server) unreadNotifications(c *fiber.Ctx) error {
	list, err := s.svc.UnreadNotifications(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	return c.JSON(toNotificationsJSON(list))
}

func (s *Server) getNotification(c *fiber.Ctx) error {
	n, err := s.svc.GetNotification(c.UserContext(), actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toNotificationJSON(n))
}

func (s *Server) markNotificationRead(c *fiber.Ctx) error {
	n, err := s.svc.MarkNotificationRead(c.UserContext(), actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toNotificationJSON(n))
}

// endpointJSON never carries the secret, except in the creation answer.
type endpointJSON struct {
	ID           string     `json:"id"`
	URL          string     `json:"url" oa:"format=uri"`
	Events       []string   `json:"events" doc:"Event types; empty: all"`
	Description  string     `json:"description"`
	Active       bool       `json:"active"`
	Secret       string     `json:"secret,omitempty" doc:"Signing secret; only in the creation answer"`
	FailingSince *time.Time `json:"failing_since"`
	DisabledAt   *time.Time `json:"disabled_at"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

func toEndpointJSON(e core.WebhookEndpoint, withSecret bool) endpointJSON {
	evs := e.Events
	if evs == nil {
		evs = []string{}
	}
	out := endpointJSON{ID: e.ID, URL: e.URL, Events: evs, Description: e.Description, Active: e.Active,
		FailingSince: notifTime(e.FailingSince), DisabledAt: notifTime(e.DisabledAt), CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
	if withSecret {
		out.Secret = e.Secret
	}
	return out
}

type endpointRequest struct {
	URL         *string   `json:"url" validate:"omitempty,max=2000" doc:"https URL (create: required)"`
	Events      *[]string `json:"events"`
	Active      *bool     `json:"active"`
	Description *string   `json:"description" validate:"omitempty,max=500"`
}

func (r endpointRequest) toInput() core.WebhookEndpointInput {
	return core.WebhookEndpointInput{URL: r.URL, Events: r.Events, Active: r.Active, Description: r.Description}
}

func (s *Server) createWebhookEndpoint(c *fiber.Ctx) error {
	var req endpointRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	if err := s.checkWebhookTarget(c.UserContext(), req.URL); err != nil {
		return err
	}
	ep, err := s.svc.CreateWebhookEndpoint(c.UserContext(), actor(c), req.toInput())
	if err != nil {
		return err
	}
	c.Location("/api/admin/webhook-endpoints/" + ep.ID + "/")
	return c.Status(fiber.StatusCreated).JSON(toEndpointJSON(ep, true))
}

func (s *Server) listWebhookEndpoints(c *fiber.Ctx) error {
	q, err := parseListQuery(c)
	if err != nil {
		return err
	}
	list, err := s.svc.ListWebhookEndpoints(c.UserContext(), actor(c))
	if err != nil {
		return err
	}
	out := make([]endpointJSON, 0, len(list))
	for _, e := range list {
		out = append(out, toEndpointJSON(e, false))
	}
	return c.JSON(newPage(c, q, len(out), paginate(out, q)))
}

func (s *Server) getWebhookEndpoint(c *fiber.Ctx) error {
	ep, err := s.svc.GetWebhookEndpoint(c.UserContext(), actor(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toEndpointJSON(ep, false))
}

func (s *Server) updateWebhookEndpoint(c *fiber.Ctx) error {
	var req endpointRequest
	if err := decodeBody(c, &req, false); err != nil {
		return err
	}
	if err := s.checkWebhookTarget(c.UserContext(), req.URL); err != nil {
		return err
	}
	ep, err := s.svc.UpdateWebhookEndpoint(c.UserContext(), actor(c), c.Params("id"), req.toInput())
	if err != nil {
		return err
	}
	return c.JSON(toEndpointJSON(ep, false))
}

func (s *Server) deleteWebhookEndpoint(c *fiber.Ctx) error {
	if err := s.svc.DeleteWebhookEndpoint(c.UserContext(), actor(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) listWebhookDeliveries(c *fiber.Ctx) error {
	q, err := parseListQuery(c)
	if err != nil {
		return err
	}
	list, total, err := s.svc.ListWebhookDeliveries(c.UserContext(), actor(c), c.Params("id"), q.Offset(), q.PageSize)
	if err != nil {
		return err
	}
	out := make([]deliveryJSON, len(list))
	for i, n := range list {
		out[i] = deliveryJSON{toNotificationJSON(n)}
	}
	return c.JSON(newPage(c, q, total, out))
}

func (s *Server) resendWebhookDelivery(c *fiber.Ctx) error {
	n, err := s.svc.ResendWebhookDelivery(c.UserContext(), actor(c), c.Params("id"), c.Params("delivery"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(deliveryJSON{toNotificationJSON(n)})
}
