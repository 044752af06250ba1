package dev.steer.engine.map;

import java.util.ArrayList;
import java.util.List;

/** Records what the map asks of its lifecycle; can refuse starts to provoke ENOMEM. */
final class RecordingLifecycle implements EntryLifecycle {
    final List<CpuMapEntry> started = new ArrayList<>();
    final List<CpuMapEntry> retired = new ArrayList<>();
    boolean refuseStart;
    int refused;

    @Override
    public boolean start(CpuMapEntry entry) {
        if (refuseStart) {
            refused++;
            return false;
        }
        started.add(entry);
        return true;
    }

    @Override
    public void retire(CpuMapEntry entry) {
        retired.add(entry);
    }
}
