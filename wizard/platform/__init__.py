"""Web plumbing the public, staff and API apps share: settings and start-up checks, cookies and
sessions, languages, security headers, logs, rate limits, proxies, hosts, health checks and static
files. It may import `wizard.domain` and `wizard.storage`, never one of the three apps."""
