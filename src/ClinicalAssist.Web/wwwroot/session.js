// Keeps the sign-in session alive while the clinician is actually using the page. Work inside a Blazor Server
// circuit makes no HTTP requests, and reading (scrolling, moving the pointer) sends nothing into the circuit, so any
// interaction pings Account/KeepAlive: it renews the sliding cookie and records the use on the server-side session,
// which the circuit's idle check reads. Pings are throttled to the interval the server derives from its idle timeout
// (data-keepalive-ms); an untouched page sends none, so the session ends on time.
(() => {
    const intervalMs = Number(document.currentScript?.dataset.keepaliveMs) || 60_000;
    let last = 0;
    const ping = () => {
        const now = Date.now();
        if (now - last < intervalMs) return;
        last = now;
        fetch('Account/KeepAlive', { credentials: 'same-origin', cache: 'no-store' }).catch(() => { });
    };
    for (const type of ['pointerdown', 'keydown', 'touchstart', 'touchmove', 'wheel', 'scroll']) {
        window.addEventListener(type, ping, { passive: true, capture: true });
    }
    // A pointer that did not move is not use: the browser reports a "move" at the same place when the page changes
    // under a resting mouse (e.g. the idle warning appearing where "Stay signed in" was last clicked), which would
    // otherwise keep an untouched page signed in for ever.
    let lastX = NaN, lastY = NaN;
    window.addEventListener('pointermove', event => {
        if (event.screenX === lastX && event.screenY === lastY) return;
        lastX = event.screenX;
        lastY = event.screenY;
        ping();
    }, { passive: true, capture: true });
})();

// Leaving the page (reload, closing the tab, typing another address) while an edit is not saved yet: the browser asks
// first, where it allows it. The draft panel marks itself data-unsaved="true" until its debounced save has stored
// the edit (Features/Drafting/DraftEdits.cs); navigation inside the app saves the edit on its own.
window.addEventListener('beforeunload', event => {
    if (document.querySelector('[data-unsaved="true"]')) {
        event.preventDefault();
        event.returnValue = '';
    }
});
