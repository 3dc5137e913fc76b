"""PDF rendering shared by every capability's reports."""
