package doctor

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/user"
	"runtime"
	"strconv"
	"strings"

	"github.com/cewiz/cewiz/flow"
	"github.com/cewiz/cewiz/flow/cloudelements"
	"github.com/cewiz/cewiz/flow/events"
	"github.com/cewiz/cewiz/oauthlistener"
)

// HTTPProber is the real Prober: one GET, no credentials, no redirects
// followed, no retries; proxies from the environment.
type HTTPProber struct {
	// Client is used when set (its redirect policy is the caller's).
	Client    *http.Client
	UserAgent string
}

// Probe implements Prober.
func (p HTTPProber) Probe(ctx context.Context, rawURL string) (int, error) {
	c := p.Client
	if c == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.DisableKeepAlives = true
		c = &http.Client{
			Transport:     tr,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		defer tr.CloseIdleConnections()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	ua := p.UserAgent
	if ua == "" {
		ua = "cewiz/" + cloudelements.DefaultVersion + " (doctor)"
	}
	req.Header.Set("User-Agent", ua)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// ListenerPorts is the real PortProber: it starts the OAuth listener itself
// on the address (so the answer is exactly what authorizing would meet,
// including another cewiz waiting there) and closes it at once; Holder
// reads /proc on Linux.
type ListenerPorts struct {
	// Proc is the /proc file system (os.DirFS("/proc") on Linux when nil).
	Proc fs.FS
}

// ProbePort implements PortProber.
func (p ListenerPorts) ProbePort(ctx context.Context, addr string) error {
	l, err := oauthlistener.Start(ctx, oauthlistener.Options{Addr: addr, Timeout: -1, HintAfter: -1})
	if err != nil {
		return err
	}
	_ = l.Close()
	return nil
}

// Holder implements PortProber: on Linux it finds the socket listening on
// port in /proc/net/tcp{,6}, then the process holding it among
// /proc/<pid>/fd (only the user's own processes are readable without
// privileges; for others it names the owner's user).
func (p ListenerPorts) Holder(port int) string {
	proc := p.Proc
	if proc == nil {
		if runtime.GOOS != "linux" {
			return ""
		}
		proc = os.DirFS("/proc")
	}
	return PortHolder(proc, port)
}

// PortHolder is Holder over a /proc file system, for tests.
func PortHolder(proc fs.FS, port int) string {
	inode, uid, ok := listeningInode(proc, port)
	if !ok {
		return ""
	}
	if pid, comm, ok := socketOwner(proc, inode); ok {
		if comm == "" {
			return fmt.Sprintf("pid %d", pid)
		}
		return fmt.Sprintf("%s (pid %d)", comm, pid)
	}
	if uid == "" {
		return ""
	}
	if u, err := user.LookupId(uid); err == nil && u.Username != "" {
		return fmt.Sprintf("a program of user %s (uid %s)", u.Username, uid)
	}
	return "a program of uid " + uid
}

// listeningInode finds the LISTEN socket on port in net/tcp and net/tcp6.
func listeningInode(proc fs.FS, port int) (inode, uid string, ok bool) {
	want := fmt.Sprintf("%04X", port)
	for _, f := range []string{"net/tcp", "net/tcp6"} {
		data, err := fs.ReadFile(proc, f)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		first := true
		for sc.Scan() {
			if first {
				first = false
				continue
			}
			fields := strings.Fields(sc.Text())
			if len(fields) < 10 {
				continue
			}
			local, st := fields[1], fields[3]
			i := strings.LastIndexByte(local, ':')
			if i < 0 || !strings.EqualFold(local[i+1:], want) || st != "0A" {
				continue
			}
			return fields[9], fields[7], fields[9] != "0"
		}
	}
	return "", "", false
}

// socketOwner finds the process with an fd on socket:[inode].
func socketOwner(proc fs.FS, inode string) (pid int, comm string, ok bool) {
	target := "socket:[" + inode + "]"
	entries, err := fs.ReadDir(proc, ".")
	if err != nil {
		return 0, "", false
	}
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil || n <= 0 {
			continue
		}
		fds, err := fs.ReadDir(proc, e.Name()+"/fd")
		if err != nil {
			continue // another user's process
		}
		for _, fd := range fds {
			link, err := fs.ReadLink(proc, e.Name()+"/fd/"+fd.Name())
			if err != nil || link != target {
				continue
			}
			c, _ := fs.ReadFile(proc, e.Name()+"/comm")
			return n, strings.TrimSpace(string(c)), true
		}
	}
	return 0, "", false
}

// ReceiverWaiter is the real NotificationWaiter: an events receiver on the
// address, checking signatures with Key when it is set.
type ReceiverWaiter struct {
	Key flow.Secret
}

// WaitNotification implements NotificationWaiter.
func (r ReceiverWaiter) WaitNotification(ctx context.Context, addr string, id int64) (events.Delivery, error) {
	srv, err := events.Listen(addr, events.ReceiverOptions{Key: r.Key})
	if err != nil {
		return events.Delivery{}, err
	}
	defer srv.Close()
	var refused events.Delivery
	for {
		select {
		case d := <-srv.Deliveries():
			if !d.Accepted() {
				refused = d
				continue
			}
			if got, _ := d.Notification.Instance(); id == 0 || got == id {
				return d, nil
			}
		case <-ctx.Done():
			if refused.Err != nil {
				return refused, nil
			}
			return events.Delivery{}, ctx.Err()
		}
	}
}

// Compile-time checks that the real types fit the interfaces.
var (
	_ API                = (*cloudelements.Client)(nil)
	_ Resolver           = (*net.Resolver)(nil)
	_ BrowserChecker     = (*oauthlistener.Launcher)(nil)
	_ Prober             = HTTPProber{}
	_ PortProber         = ListenerPorts{}
	_ NotificationWaiter = ReceiverWaiter{}
)

// RealDeps wires the real collaborators: the Cloud Elements client (only
// with both platform secrets; it then sets cfg.HaveSecrets), HTTP without
// credentials, the system resolver, the loopback listener, and browser (the
// launcher the caller configured, e.g. oauthlistener.NewLauncher()). The
// client makes one attempt per call: the checks' timeouts bound the rest.
func RealDeps(cfg *Config, s flow.Secrets, browser BrowserChecker, version string) Deps {
	if version == "" {
		version = cloudelements.DefaultVersion
	}
	deps := Deps{
		Prober:   HTTPProber{UserAgent: "cewiz/" + version + " (doctor)"},
		Resolver: net.DefaultResolver,
		Ports:    ListenerPorts{},
		Browser:  browser,
		// Signatures are checked with CEWIZ_SIGNATURE_KEY when it is set.
		Notifications: ReceiverWaiter{Key: s.SignatureKey},
	}
	if !s.UserSecret.IsZero() && !s.OrgSecret.IsZero() {
		c, err := cloudelements.New(cfg.Answers.BaseURL, s.UserSecret, s.OrgSecret,
			cloudelements.WithVersion(version), cloudelements.WithElementKey(elementKey(cfg.Answers)),
			cloudelements.WithRetry(cloudelements.RetryPolicy{Attempts: 1}))
		if err == nil {
			deps.API = c
			cfg.HaveSecrets = true
		}
	}
	return deps
}
