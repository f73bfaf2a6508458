"""Feature components: online (O(1) per event) and batch forms sharing one numba kernel each."""
