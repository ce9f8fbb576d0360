"""The domain core: store backends, the write path, validation, import and export."""
