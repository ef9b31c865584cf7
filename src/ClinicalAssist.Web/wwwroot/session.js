// Keeps the sign-in cookie alive while the clinician is actually using the page. Work inside a Blazor Server
// circuit makes no HTTP requests, so without this the sliding cookie would expire under an active user.
// Activity is throttled to one keep-alive a minute; an idle page sends none, so the session ends on time.
(() => {
    const intervalMs = 60_000;
    let last = 0;
    const ping = () => {
        const now = Date.now();
        if (now - last < intervalMs) return;
        last = now;
        fetch('Account/KeepAlive', { credentials: 'same-origin', cache: 'no-store' }).catch(() => { });
    };
    for (const type of ['pointerdown', 'keydown', 'touchstart', 'wheel']) {
        window.addEventListener(type, ping, { passive: true, capture: true });
    }
})();
