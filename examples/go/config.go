package calsync

// Config is CLIENT_CONFIG of calsync_client_new; every member is optional (zero values
// are left out and the library's defaults apply).
type Config struct {
	Zone               string          `json:"zone,omitempty"` // the business's IANA zone; default "UTC"
	Window             *Window         `json:"window,omitempty"`
	Policy             *Policy         `json:"policy,omitempty"` // for calendars selected without their own
	Export             *ExportSettings `json:"export,omitempty"`
	Google             *OAuthClient    `json:"google,omitempty"`
	Microsoft          *OAuthClient    `json:"microsoft,omitempty"`
	Network            *Network        `json:"network,omitempty"`
	Schedule           *Schedule       `json:"schedule,omitempty"`
	MaxConcurrentSyncs int             `json:"max_concurrent_syncs,omitempty"`
	// KeepIdleConnections false releases each connection's HTTP connections and tokens
	// in memory after each sync; nil keeps the default, true.
	KeepIdleConnections *bool `json:"keep_idle_connections,omitempty"`
	// Store opens the client of one business of a fleet store shared with workers and
	// other clients, instead of the store path given to NewClient (not for a worker's
	// Config: a worker names its store itself).
	Store *FleetStore `json:"store,omitempty"`
}

// FleetStore is CLIENT_CONFIG's "store": a fleet store and the business a client opens in it.
type FleetStore struct {
	URL        string `json:"url"`                   // "postgresql://...", "sqlite:PATH", "memory:"
	BusinessID string `json:"business_id,omitempty"` // default "default"
}

// Window is what is read and exported, around now; default 1 day back, 365 ahead.
type Window struct {
	DaysBack  int `json:"days_back"`
	DaysAhead int `json:"days_ahead"`
}

// ExportSettings are how appointments are written to export calendars.
type ExportSettings struct {
	BusyOnly       bool   `json:"busy_only,omitempty"` // privacy: "Busy" and no client details
	BusySummary    string `json:"busy_summary,omitempty"`
	UIDDomain      string `json:"uid_domain,omitempty"` // right-hand side of exported UIDs
	IncludeNotes   bool   `json:"include_notes,omitempty"`
	Location       string `json:"location,omitempty"`
	OnRemoteEdit   string `json:"on_remote_edit,omitempty"`   // appointment_wins | keep_remote
	OnRemoteDelete string `json:"on_remote_delete,omitempty"` // recreate | leave_deleted
}

// Network holds the HTTP settings.
type Network struct {
	// AllowPrivateAddresses lets URLs reach loopback and private networks (refused by
	// default).
	AllowPrivateAddresses bool   `json:"allow_private_addresses,omitempty"`
	CABundle              string `json:"ca_bundle,omitempty"`
	// Proxy is the one proxy requests go through; the environment's proxies are ignored.
	Proxy                 string `json:"proxy,omitempty"`
	ConnectTimeoutSeconds int    `json:"connect_timeout_seconds,omitempty"` // default 10, 1-300
	TotalTimeoutSeconds   int    `json:"total_timeout_seconds,omitempty"`   // default 120, 1-3600
	// SyncTimeoutSeconds bounds one connection's sync, every request and retry included.
	SyncTimeoutSeconds int `json:"sync_timeout_seconds,omitempty"` // default 300, 1-3600
}

// Schedule is when connections are due.
type Schedule struct {
	MinIntervalMinutes int `json:"min_interval_minutes,omitempty"`
	MaxIntervalMinutes int `json:"max_interval_minutes,omitempty"`
	FirstRetrySeconds  int `json:"first_retry_seconds,omitempty"`
	MaxBackoffMinutes  int `json:"max_backoff_minutes,omitempty"`
	// FullReadSeconds is how often each calendar is also read in full; 0 never, nil the
	// default (86400).
	FullReadSeconds *int `json:"full_read_seconds,omitempty"`
}

// OAuthClient is a Google or Microsoft OAuth client (OAUTH_CLIENT in calsync.h).
type OAuthClient struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"` // never appears in a message
	RedirectURI  string `json:"redirect_uri,omitempty"`
	// ReadOnly asks for scopes that cannot write events ("exports": false).
	ReadOnly               bool     `json:"-"`
	Scopes                 []string `json:"scopes,omitempty"`
	Tenant                 string   `json:"tenant,omitempty"` // microsoft
	AuthorityURL           string   `json:"authority_url,omitempty"`
	AuthorizationURL       string   `json:"authorization_url,omitempty"`
	TokenURL               string   `json:"token_url,omitempty"`
	RevocationURL          string   `json:"revocation_url,omitempty"`
	DeviceAuthorizationURL string   `json:"device_authorization_url,omitempty"`
	APIBaseURL             string   `json:"api_base_url,omitempty"` // in a Client's Config
	// RequestsPerMinute is the Google Cloud project's Calendar API quota (0: Google's
	// default, 10,000); calsync keeps to 90 % of it, across every worker of a fleet too.
	RequestsPerMinute int64 `json:"requests_per_minute,omitempty"`
}

// MarshalJSON adds "exports" from ReadOnly (the library's default is true).
func (o OAuthClient) MarshalJSON() ([]byte, error) {
	type plain OAuthClient
	return marshalWith(plain(o), map[string]any{"exports": !o.ReadOnly})
}
