"""Photo files: decoding and re-encoding uploads, where files live, and sweeping orphans."""
