"""Request plumbing shared by every blueprint: proxies, headers, logging, the unit of work."""
