"""A real RTSP server for tests: GStreamer's (gir1.2-gst-rtsp-server-1.0) streaming a folder of
JPEG frames as Motion JPEG over RTP, round and round, at rtsp://127.0.0.1:PORT/cam.

Usage: /usr/bin/python3 rtsp_server.py PORT 'FOLDER/frame%03d.jpg' [FPS]
Prints "ready" once it listens; stops on SIGTERM.
"""
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)
port, pattern = sys.argv[1], sys.argv[2]
fps = sys.argv[3] if len(sys.argv) > 3 else "10"
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch(
    f'( multifilesrc location="{pattern}" loop=true caps="image/jpeg,framerate={fps}/1" ! jpegparse ! rtpjpegpay name=pay0 pt=26 )')
factory.set_shared(True)
server.get_mount_points().add_factory("/cam", factory)
if server.attach(None) == 0:
    sys.exit(f"rtsp_server: cannot listen on 127.0.0.1:{port}")
loop = GLib.MainLoop()
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
print("ready", flush=True)
loop.run()
