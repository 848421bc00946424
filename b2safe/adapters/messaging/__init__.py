"""Message publishing (B2SAFE 4.x's messaging, ``messaging.enabled``)."""
