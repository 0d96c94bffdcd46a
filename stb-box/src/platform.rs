//! Slint on the box without a windowing system: our own [`slint::platform::Platform`] with the software renderer.
//! One full-screen window; frames go to a [`Display`] (the framebuffer on the box, nothing when rendering to PNG);
//! other threads (the remote, the tuner worker) reach the UI thread through [`slint::invoke_from_event_loop`].

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use slint::platform::software_renderer::{
    MinimalSoftwareWindow, RepaintBufferType, SoftwareRenderer,
};
use slint::platform::{EventLoopProxy, Platform, WindowAdapter};
use slint::{EventLoopError, PhysicalSize, PlatformError};

/// Where finished frames go.
pub trait Display {
    /// Draws what changed since the last frame.
    fn present(&mut self, renderer: &SoftwareRenderer);
}

type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct Queue {
    jobs: Mutex<(VecDeque<Job>, bool)>,
    wake: Condvar,
}

struct Proxy(Arc<Queue>);

impl EventLoopProxy for Proxy {
    fn quit_event_loop(&self) -> Result<(), EventLoopError> {
        let mut jobs = self
            .0
            .jobs
            .lock()
            .map_err(|_| EventLoopError::EventLoopTerminated)?;
        jobs.1 = true;
        self.0.wake.notify_one();
        Ok(())
    }

    fn invoke_from_event_loop(&self, event: Job) -> Result<(), EventLoopError> {
        let mut jobs = self
            .0
            .jobs
            .lock()
            .map_err(|_| EventLoopError::EventLoopTerminated)?;
        jobs.0.push_back(event);
        self.0.wake.notify_one();
        Ok(())
    }
}

/// The platform: a fixed screen size, the current window, the display and the job queue.
pub struct BoxPlatform {
    size: PhysicalSize,
    window: Rc<RefCell<Option<Rc<MinimalSoftwareWindow>>>>,
    display: RefCell<Option<Box<dyn Display>>>,
    queue: Arc<Queue>,
    start: Instant,
}

/// The UI thread's handle on the window the platform made (for rendering to PNG and for measurements).
#[derive(Clone)]
pub struct WindowHandle(Rc<RefCell<Option<Rc<MinimalSoftwareWindow>>>>);

impl WindowHandle {
    /// The window of the component created last.
    pub fn window(&self) -> Option<Rc<MinimalSoftwareWindow>> {
        self.0.borrow().clone()
    }
}

impl BoxPlatform {
    /// Installs the platform on this thread (once per thread) and returns the handle on its window.
    pub fn install(
        size: PhysicalSize,
        display: Option<Box<dyn Display>>,
    ) -> Result<WindowHandle, PlatformError> {
        let window = Rc::new(RefCell::new(None));
        let platform = BoxPlatform {
            size,
            window: window.clone(),
            display: RefCell::new(display),
            queue: Arc::new(Queue::default()),
            start: Instant::now(),
        };
        slint::platform::set_platform(Box::new(platform))
            .map_err(|e| PlatformError::Other(format!("the UI platform is already set: {e}")))?;
        Ok(WindowHandle(window))
    }

    fn take_jobs(&self, timeout: Option<Duration>) -> (Vec<Job>, bool) {
        let Ok(mut guard) = self.queue.jobs.lock() else {
            return (Vec::new(), true);
        };
        if guard.0.is_empty() && !guard.1 {
            guard = match timeout {
                Some(t) => match self.queue.wake.wait_timeout(guard, t) {
                    Ok((g, _)) => g,
                    Err(_) => return (Vec::new(), true),
                },
                None => match self.queue.wake.wait(guard) {
                    Ok(g) => g,
                    Err(_) => return (Vec::new(), true),
                },
            };
        }
        (guard.0.drain(..).collect(), guard.1)
    }
}

impl Platform for BoxPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        let window = MinimalSoftwareWindow::new(RepaintBufferType::ReusedBuffer);
        window.set_size(self.size);
        *self.window.borrow_mut() = Some(window.clone());
        Ok(window)
    }

    fn duration_since_start(&self) -> Duration {
        self.start.elapsed()
    }

    fn new_event_loop_proxy(&self) -> Option<Box<dyn EventLoopProxy>> {
        Some(Box::new(Proxy(self.queue.clone())))
    }

    fn run_event_loop(&self) -> Result<(), PlatformError> {
        loop {
            slint::platform::update_timers_and_animations();
            let window = self.window.borrow().clone();
            if let Some(window) = &window {
                if let Some(display) = self.display.borrow_mut().as_mut() {
                    window.draw_if_needed(|renderer| display.present(renderer));
                }
            }
            let animating = window.as_ref().is_some_and(|w| w.has_active_animations());
            let timeout = if animating {
                Some(Duration::from_millis(16))
            } else {
                slint::platform::duration_until_next_timer_update()
            };
            let (jobs, quit) = self.take_jobs(timeout);
            for job in jobs {
                job();
            }
            if quit {
                return Ok(());
            }
        }
    }
}
