package sandbox

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/git-agent/git-agent/sandbox/egress"
	"golang.org/x/sys/unix"
)

// proxyHandle runs the egress proxy of one confined command: the init binds
// the listener inside the command's network namespace and sends it over a
// socketpair; the proxy serves it from here, in the host's namespace.
type proxyHandle struct {
	allow   []string
	decided func(egress.Decision)
	parent  *os.File // our end of the socketpair
	child   *os.File // the init's end, fd 5
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

func newProxyHandle(allow []string, decided func(egress.Decision)) (*proxyHandle, error) {
	allow, err := egress.ParseAllow(allow)
	if err != nil {
		return nil, err
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("egress proxy: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &proxyHandle{allow: allow, decided: decided, parent: os.NewFile(uintptr(fds[0]), "proxy-parent"),
		child: os.NewFile(uintptr(fds[1]), "proxy-child"), ctx: ctx, cancel: cancel}, nil
}

// env points the command's HTTP clients at the proxy; loopback stays direct.
func (h *proxyHandle) env() []string {
	u := "http://" + proxyAddr
	return []string{"HTTP_PROXY=" + u, "HTTPS_PROXY=" + u, "http_proxy=" + u, "https_proxy=" + u,
		"NO_PROXY=localhost,127.0.0.1,::1", "no_proxy=localhost,127.0.0.1,::1"}
}

// start receives the listener (the init sends it before the command runs)
// and serves the proxy until stop.
func (h *proxyHandle) start() {
	h.child.Close() // the init has its copy; EOF comes if it dies before sending
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		l, err := h.receive()
		if err != nil {
			return // the setup error reaches the caller through the init's error pipe
		}
		p := &egress.Proxy{Allow: h.allow, Decided: h.decided}
		_ = p.Serve(h.ctx, l)
	}()
}

func (h *proxyHandle) receive() (net.Listener, error) {
	_ = h.parent.SetReadDeadline(time.Now().Add(30 * time.Second))
	buf := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(4))
	raw, err := h.parent.SyscallConn()
	if err != nil {
		return nil, err
	}
	var n, oobn int
	var rerr error
	err = raw.Read(func(fd uintptr) bool {
		n, oobn, _, _, rerr = unix.Recvmsg(int(fd), buf, oob, unix.MSG_CMSG_CLOEXEC)
		return rerr != unix.EAGAIN
	})
	if err == nil {
		err = rerr
	}
	if err != nil || n == 0 {
		return nil, fmt.Errorf("egress proxy: no listener from the sandbox: %v", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, fmt.Errorf("egress proxy: bad control message: %v", err)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return nil, fmt.Errorf("egress proxy: bad rights: %v", err)
	}
	f := os.NewFile(uintptr(fds[0]), "proxy-listener")
	defer f.Close()
	return net.FileListener(f)
}

// stop ends the proxy and every connection it holds.
func (h *proxyHandle) stop() {
	h.cancel()
	h.parent.Close()
	h.wg.Wait()
}

// withoutProxyEnv drops proxy settings inherited from the host: inside the
// namespace only the egress proxy is reachable.
func withoutProxyEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(name) {
		case "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "FTP_PROXY":
			continue
		}
		out = append(out, kv)
	}
	return out
}
