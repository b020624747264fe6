"""What the app keeps about you and for how long: exports, account deletion, retention."""
