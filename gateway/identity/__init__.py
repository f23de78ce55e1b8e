"""Who calls: JWT verification and roles (auth), tokens and login, OAuth
client credentials, partner clients. Beside the dialect; never imports http."""
