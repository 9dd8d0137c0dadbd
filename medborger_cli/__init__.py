"""medborger: coordinate a Danish medborgercenter from the terminal."""

__version__ = "0.1.0"
