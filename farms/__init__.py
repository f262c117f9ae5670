"""Farms, cooperatives and their members, growing areas, certifications."""
