"""Concept cards for other sites: card pages, oEmbed, summaries and /embed.js."""
