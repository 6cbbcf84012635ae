//go:build linux

// Package ptytest gives tests a pseudo-terminal from the standard library
// and golang.org/x/sys (no pty module): a program started on it has the
// terminal as its controlling terminal, like one started by a person in a
// terminal window, and the test reads what it draws and answers (or not)
// its queries through the master side.
package ptytest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// PTY is a pseudo-terminal: the test holds Master, the program gets Slave.
type PTY struct {
	Master, Slave *os.File

	mu  sync.Mutex
	out bytes.Buffer
	// answer, when set, is called with everything read so far after each
	// read, and returns what to write back (the terminal's answers).
	answer  func(seen []byte) []byte
	changed chan struct{}
	closed  chan struct{}
}

// Open opens a pseudo-terminal of cols×rows. Close it when done.
func Open(cols, rows uint16) (*PTY, error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	var n int
	ctlErr := control(m, func(fd int) error {
		if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil { // unlockpt
			return err
		}
		var err error
		n, err = unix.IoctlGetInt(fd, unix.TIOCGPTN) // ptsname
		return err
	})
	if ctlErr != nil {
		m.Close()
		return nil, ctlErr
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY|syscall.O_CLOEXEC, 0)
	if err != nil {
		m.Close()
		return nil, err
	}
	if err := control(s, func(fd int) error {
		return unix.IoctlSetWinsize(fd, unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: rows})
	}); err != nil {
		m.Close()
		s.Close()
		return nil, err
	}
	p := &PTY{Master: m, Slave: s, changed: make(chan struct{}, 1), closed: make(chan struct{})}
	go p.read()
	return p, nil
}

// control runs f on f's descriptor without putting it in blocking mode
// (os.File.Fd would, and the master's reads could not be interrupted).
func control(f *os.File, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = fn(int(fd)) }); err != nil {
		return err
	}
	return ferr
}

// Answer sets the terminal's answers: f sees everything the program wrote
// so far and returns what to write back ("" for nothing). Without it the
// terminal answers nothing, like a serial console or some CI terminals.
func (p *PTY) Answer(f func(seen []byte) []byte) {
	p.mu.Lock()
	p.answer = f
	p.mu.Unlock()
}

func (p *PTY) read() {
	defer close(p.closed)
	buf := make([]byte, 4096)
	for {
		n, err := p.Master.Read(buf)
		if n > 0 {
			p.mu.Lock()
			p.out.Write(buf[:n])
			var reply []byte
			if p.answer != nil {
				reply = p.answer(p.out.Bytes())
			}
			p.mu.Unlock()
			if len(reply) > 0 {
				_, _ = p.Master.Write(reply)
			}
			select {
			case p.changed <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

// Output is everything the program wrote to the terminal so far.
func (p *PTY) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// WaitFor waits until the output contains text, or fails after limit (a
// bound for a broken program, not a measurement).
func (p *PTY) WaitFor(text string, limit time.Duration) error {
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	for {
		if strings.Contains(p.Output(), text) {
			return nil
		}
		select {
		case <-p.changed:
		case <-p.closed:
			if strings.Contains(p.Output(), text) {
				return nil
			}
			return fmt.Errorf("the terminal closed before %q showed; output: %q", text, tail(p.Output()))
		case <-deadline.C:
			return fmt.Errorf("%q never showed; output: %q", text, tail(p.Output()))
		}
	}
}

// WaitClosed waits until the master has read everything the program wrote
// and then the end of the terminal (every copy of the slave closed: Start
// closed the test's, so once the program has exited), or fails after limit
// (a bound for a broken program, not a measurement).
func (p *PTY) WaitClosed(limit time.Duration) error {
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	select {
	case <-p.closed:
		return nil
	case <-deadline.C:
		return fmt.Errorf("the terminal is still open after %v; output: %q", limit, tail(p.Output()))
	}
}

func tail(s string) string {
	if len(s) > 600 {
		return "…" + s[len(s)-600:]
	}
	return s
}

// Start starts cmd with the terminal as its controlling terminal and as
// every standard stream cmd leaves nil, then closes the test's copy of the
// slave (the master then reads the end when the program exits). The caller
// waits for cmd.
func (p *PTY) Start(cmd *exec.Cmd) error {
	if cmd.Stdin == nil {
		cmd.Stdin = p.Slave
	}
	if cmd.Stdout == nil {
		cmd.Stdout = p.Slave
	}
	if cmd.Stderr == nil {
		cmd.Stderr = p.Slave
	}
	// A session of its own whose controlling terminal is the slave: the
	// program is in the terminal's foreground, as in a terminal window.
	ctty := -1
	for i, f := range []any{cmd.Stdin, cmd.Stdout, cmd.Stderr} {
		if f == p.Slave {
			ctty = i
			break
		}
	}
	if ctty < 0 {
		return fmt.Errorf("ptytest: no standard stream of the command is the terminal")
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: ctty}
	err := cmd.Start()
	p.Slave.Close()
	return err
}

// Close closes both sides.
func (p *PTY) Close() error {
	p.Slave.Close()
	return p.Master.Close()
}

// XtermAnswers answers the background-colour query (OSC 11) with bg (as
// "rgb:RRRR/GGGG/BBBB") and every cursor-position query, each once, as
// xterm does.
func XtermAnswers(bg string) func(seen []byte) []byte {
	var osc, dsr int
	return func(seen []byte) []byte {
		var out []byte
		for n := bytes.Count(seen, []byte("\x1b]11;?")); osc < n; osc++ {
			out = append(out, "\x1b]11;"+bg+"\x1b\\"...)
		}
		for n := bytes.Count(seen, []byte("\x1b[6n")); dsr < n; dsr++ {
			out = append(out, "\x1b[1;1R"...)
		}
		return out
	}
}
