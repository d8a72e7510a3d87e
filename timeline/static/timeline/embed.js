// The embed tells the page that frames it how tall it is, whenever that changes, so that the page may fit the frame
// to its events: {type: "timeline:height", height: <CSS pixels>}. The message and the listener an author copies are
// in the README and timeline/embeds.py; a page that does not listen keeps the height it gave the frame.
(function () {
  "use strict";
  if (window.parent === window) return;
  var sent = 0;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === sent) return;
    sent = height;
    window.parent.postMessage({ type: "timeline:height", height: height }, "*");
  }
  window.addEventListener("load", send);
  if ("ResizeObserver" in window) {
    new ResizeObserver(send).observe(document.documentElement);
  } else {
    window.addEventListener("resize", send);
  }
})();
