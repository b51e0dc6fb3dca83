"""The privacy kernel: inventory, vault, audit and access. Every app goes through it."""
