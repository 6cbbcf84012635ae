//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package termbg

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// query asks the terminal behind out for its background (OSC 11), followed
// by a cursor-position query that every terminal answers, and reads the
// replies for at most timeout. The reply is read from in when in is the
// same terminal, else from out when it was opened for reading too; when
// neither can be read, or the process is not in the terminal's foreground
// (reading would stop it), it does not ask.
func query(out, in *os.File, timeout time.Duration) Answer {
	guess := Answer{Dark: true}
	ofd := int(out.Fd())
	if _, err := unix.IoctlGetTermios(ofd, ioctlGetTermios); err != nil {
		guess.How = "not a terminal"
		return guess
	}
	rfd := -1
	if in != nil && sameTerminal(ofd, int(in.Fd())) {
		rfd = int(in.Fd())
	} else if fl, err := unix.FcntlInt(uintptr(ofd), unix.F_GETFL, 0); err == nil && fl&unix.O_ACCMODE == unix.O_RDWR {
		rfd = ofd
	}
	if rfd < 0 {
		guess.How = "the terminal's answer could not be read: not asked"
		return guess
	}
	if pgrp, err := unix.IoctlGetInt(rfd, unix.TIOCGPGRP); err != nil || pgrp != unix.Getpgrp() {
		guess.How = "in the background: not asked"
		return guess
	}
	// No echo (the answer would be printed) and no line editing (it would
	// wait for a newline), for as long as the question takes.
	saved, err := unix.IoctlGetTermios(rfd, ioctlGetTermios)
	if err != nil {
		guess.How = "the terminal's settings could not be read: not asked"
		return guess
	}
	raw := *saved
	raw.Lflag &^= unix.ECHO | unix.ICANON
	if err := unix.IoctlSetTermios(rfd, ioctlSetTermios, &raw); err != nil {
		guess.How = "the terminal's settings could not be changed: not asked"
		return guess
	}
	defer func() { _ = unix.IoctlSetTermios(rfd, ioctlSetTermios, saved) }()

	if _, err := unix.Write(ofd, []byte("\x1b]11;?\x1b\\\x1b[6n")); err != nil {
		guess.How = "the question could not be written"
		return guess
	}
	guess.Asked = true
	deadline := time.Now().Add(timeout)
	var buf []byte
	chunk := make([]byte, 128)
	for len(buf) < 1024 {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		fds := []unix.PollFd{{Fd: int32(rfd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int((left+time.Millisecond-1)/time.Millisecond))
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			break
		}
		k, err := unix.Read(rfd, chunk)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err != nil || k <= 0 {
			break
		}
		buf = append(buf, chunk[:k]...)
		if dark, ok, done := parseReply(buf); done {
			if !ok {
				guess.How = "the terminal does not report its background"
				return guess
			}
			return Answer{Dark: dark, Asked: true, How: "the terminal answered"}
		}
	}
	if dark, ok, _ := parseReply(buf); ok {
		return Answer{Dark: dark, Asked: true, How: "the terminal answered"}
	}
	guess.Late = true
	guess.How = "no answer within " + timeout.String()
	return guess
}

// sameTerminal reports whether the descriptors are the same terminal
// device.
func sameTerminal(a, b int) bool {
	var sa, sb unix.Stat_t
	if unix.Fstat(a, &sa) != nil || unix.Fstat(b, &sb) != nil {
		return false
	}
	if _, err := unix.IoctlGetTermios(b, ioctlGetTermios); err != nil {
		return false
	}
	return sa.Rdev == sb.Rdev
}
