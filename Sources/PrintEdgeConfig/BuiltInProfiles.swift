/// Printer profiles compiled into the binaries, found by name when no profile directory
/// has a file of that name: `printedged` without `--config` needs the `printedge-sim`
/// profile, and must start from any directory (a checkout's `hardware/profiles`, an
/// installed `/usr/share/printedge/profiles`, or neither). A file of the same name in a
/// profile directory wins, so an administrator can still change it.
///
/// The text is `hardware/profiles/printedge-sim.toml`'s, byte for byte (a test holds them
/// equal): one source of truth, read by the same parser.
enum BuiltInProfiles {
    /// Name → the profile file's text.
    static let texts: [String: String] = ["printedge-sim": printedgeSim]

    /// How messages name a compiled-in profile's "file".
    static func fileName(_ name: String) -> String { "<built-in profile \(name)>" }

    static let printedgeSim = """
# printedge-sim: the virtual Marlin the daemon starts for `virtual = true` printers.
# These values match printedge-sim's defaults (Sources/PrintEdgeSimulator/
# VirtualMarlinConfiguration.swift and its command-line options).

description = "printedge-sim, a virtual Marlin 2.1 (no hardware)"

# --baud: the simulator paces its pty at this rate, 10 bits a byte, as a real UART would.
baud = 115200

# The simulator announces ADVANCED_OK only when started with --advanced-ok
# (simulator_arguments = ["--advanced-ok"] on the [[printer]]); auto then picks it.
flow = "auto"

# --rx-buffer 128: RX_BUFFER_SIZE.
rx_buffer_bytes = 128

# --bufsize 4: BUFSIZE.
command_slots = 4

# MAX_CMD_SIZE: the simulator cuts longer lines as Marlin does.
max_line_bytes = 96

# The simulator has no endstops; this volume is what jobs are checked against.
[build_volume]
x_min_mm = 0
x_max_mm = 220
y_min_mm = 0
y_max_mm = 220
z_max_mm = 250

# The simulator's heaters clamp targets as Marlin does: HEATER_0_MAXTEMP 275 minus
# HOTEND_OVERSHOOT 15, BED_MAXTEMP 150 minus BED_OVERSHOOT 10.
[temperatures]
max_hotend_c = 260
max_bed_c = 140
safe_hotend_c = 50

# No [gcode] table: the default scripts, parking at X0 Y220.

# What `printedge calibrate` needs: the simulator's defaults (--leveling bilinear,
# --probe-grid 5, PROBING_MARGIN 10 mm with the probe 10 mm right of and behind the nozzle,
# so the grid spans 10…210 mm), and four bed screws under Marlin's stock tramming points.
[calibration]
leveling = "bilinear"
mesh_probe_count = 5
mesh_x_min_mm = 10
mesh_x_max_mm = 210
mesh_y_min_mm = 10
mesh_y_max_mm = 210
screw_thread = "CW-M3"

[[calibration.screw]]
name = "front left"
x_mm = 20
y_mm = 20

[[calibration.screw]]
name = "front right"
x_mm = 180
y_mm = 20

[[calibration.screw]]
name = "back right"
x_mm = 180
y_mm = 180

[[calibration.screw]]
name = "back left"
x_mm = 20
y_mm = 180

"""
}
