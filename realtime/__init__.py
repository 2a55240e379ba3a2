"""Events, channel names, the broker and the subscription streams."""
