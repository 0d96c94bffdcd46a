//! The byte line between a reader and a card: a serial port, one side of a pseudo-terminal, or a
//! unix socket that QEMU joins to a guest UART. Everything above (T=0, the reader, the emulator)
//! is written against [`ByteLine`], so it runs the same on all of them.

use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

/// A half-duplex character line with timed reads.
pub trait ByteLine {
    /// Writes every byte (and drains the output when the device buffers it).
    fn send(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// One byte, waiting at most `timeout`; `Ok(None)` when nothing came in time.
    /// End of stream (peer gone) is an `io::ErrorKind::UnexpectedEof` error.
    fn recv(&mut self, timeout: Duration) -> io::Result<Option<u8>>;
    /// Throws away whatever has been received and not read yet.
    fn discard_input(&mut self) -> io::Result<()> {
        while self.recv(Duration::ZERO)?.is_some() {}
        Ok(())
    }
}

/// Reads exactly `n` bytes, each within `timeout` of the previous one.
pub fn recv_exact<L: ByteLine + ?Sized>(
    line: &mut L,
    n: usize,
    timeout: Duration,
) -> io::Result<Option<Vec<u8>>> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        match line.recv(timeout)? {
            Some(b) => out.push(b),
            None => return Ok(None),
        }
    }
    Ok(Some(out))
}

/// A [`ByteLine`] over any file descriptor that can be polled: a pty master or slave, a tty,
/// a unix stream socket. Reads are buffered; the buffer is what `discard_input` drops.
pub struct PollLine<F> {
    inner: F,
    buf: Vec<u8>,
    pos: usize,
}

impl<F: Read + Write + AsFd> PollLine<F> {
    pub fn new(inner: F) -> Self {
        PollLine {
            inner,
            buf: Vec::new(),
            pos: 0,
        }
    }
    pub fn get_ref(&self) -> &F {
        &self.inner
    }
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.inner
    }
    pub fn into_inner(self) -> F {
        self.inner
    }

    fn fill(&mut self, timeout: Duration) -> io::Result<bool> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let ms = u16::try_from(left.as_micros().div_ceil(1000)).unwrap_or(u16::MAX);
            let mut fds = [PollFd::new(self.inner.as_fd(), PollFlags::POLLIN)];
            let n = match poll(&mut fds, PollTimeout::from(ms)) {
                Ok(n) => n,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            };
            if n == 0 {
                if Instant::now() >= deadline {
                    return Ok(false);
                }
                continue;
            }
            let revents = fds[0].revents().unwrap_or(PollFlags::empty());
            if revents.intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR) {
                let mut tmp = [0u8; 512];
                match self.inner.read(&mut tmp) {
                    Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                    Ok(n) => {
                        self.buf.clear();
                        self.pos = 0;
                        self.buf.extend_from_slice(&tmp[..n]);
                        return Ok(true);
                    }
                    Err(e)
                        if e.kind() == io::ErrorKind::Interrupted
                            || e.kind() == io::ErrorKind::WouldBlock => {}
                    // A pty master reads EIO once the slave side is closed.
                    Err(e) if e.raw_os_error() == Some(nix::libc::EIO) => {
                        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, e))
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
}

impl<F: Read + Write + AsFd> ByteLine for PollLine<F> {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.inner.write_all(bytes)?;
        self.inner.flush()
    }

    fn recv(&mut self, timeout: Duration) -> io::Result<Option<u8>> {
        if self.pos >= self.buf.len() && !self.fill(timeout)? {
            return Ok(None);
        }
        let b = self.buf[self.pos];
        self.pos += 1;
        Ok(Some(b))
    }

    fn discard_input(&mut self) -> io::Result<()> {
        self.buf.clear();
        self.pos = 0;
        while self.fill(Duration::ZERO)? {}
        self.buf.clear();
        self.pos = 0;
        Ok(())
    }
}

/// Puts a terminal (for instance a pty slave that the emulator keeps open) in raw mode, so no
/// byte of an APDU is taken for a control character.
pub fn make_raw<Fd: AsFd>(fd: Fd) -> io::Result<()> {
    use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg};
    let mut t = tcgetattr(&fd)?;
    cfmakeraw(&mut t);
    tcsetattr(&fd, SetArg::TCSANOW, &t)?;
    Ok(())
}
