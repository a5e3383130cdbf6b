/// Firmware output used by the tests, each with where it comes from. "Captured" samples are
/// verbatim logs from the issues named (the `Recv: ` prefix of OctoPrint's terminal removed);
/// "derived" ones are written line by line from the Marlin source named, as collected in
/// /work/shared/research/calibration-and-operations.md §1.
enum FirmwareSamples {
    /// Captured: Marlin 2.0.9.x (Artillery), `M303 E0 C8 S210`, MarlinFirmware/Configurations
    /// PR #641 (research §1.1). The first two `bias:` lines carry the glued temperature report.
    static let hotendTune = """
        PID Autotune start
         bias: 61 d: 61 min: 208.01 max: 216.95 T:209.02 /0.00 B:23.87 /0.00 @:61 B@:0
         bias: 56 d: 56 min: 203.98 max: 212.44 T:209.94 /0.00 B:23.75 /0.00 @:56 B@:0
         bias: 55 d: 55 min: 203.87 max: 211.91 Ku: 17.41 Tu: 18.16
         Classic PID
         Kp: 10.45 Ki: 1.15 Kd: 23.72
         bias: 53 d: 53 min: 204.60 max: 211.91 Ku: 18.45 Tu: 18.16
         Classic PID
         Kp: 11.07 Ki: 1.22 Kd: 25.13
        """

    /// Captured: Marlin 2.1.x (2025), `M303 E-1 C8 S60 U1`, MarlinFirmware/Marlin#27761
    /// (research §1.1; the log's elided middle cycles left out).
    static let bedTune = """
        PID Autotune start
         bias: 161 d: 93 min: 58.75 max: 60.28 T:20.67 /0.00 B:59.30 /0.00 @:0 B@:127
         bias: 161 d: 93 min: 59.15 max: 60.36 T:20.73 /0.00 B:59.92 /0.00 @:0 B@:127
         bias: 123 d: 123 min: 59.90 max: 60.83 Ku: 334.10 Tu: 17.20
         No overshoot
         Kp: 66.82 Ki: 7.77 Kd: 383.17
         bias: 75 d: 75 min: 59.84 max: 60.36 Ku: 370.81 Tu: 10.81
         No overshoot
         Kp: 74.16 Ki: 13.72 Kd: 267.33
        PID Autotune finished! Put the last Kp, Ki and Kd constants from below into Configuration.h
        #define DEFAULT_bedKp 74.16
        #define DEFAULT_bedKi 13.72
        #define DEFAULT_bedKd 267.33
        ok
        """

    /// Captured: M503 of a late-2021 build, cp2004/OctoPrint-EEPROM-Marlin#54 (research §1.2),
    /// with its `  G21 ; (mm)` line lacking `echo:` (fixed by Marlin #23338) and the lines the
    /// research elides filled from the 2.1.x formats it lists.
    static let settingsReport = """
        echo:; Linear Units:
          G21 ; (mm)
        echo:; Temperature Units:
        echo:  M149 C ; Units in Celsius
        echo:; Filament settings (Disabled):
        echo:  M200 S0 D1.75
        echo:; Steps per unit:
        echo:  M92 X80.00 Y80.00 Z800.00 E142.00
        echo:; Max feedrates (units/s):
        echo:  M203 X500.00 Y500.00 Z10.00 E50.00
        echo:; Auto Bed Leveling:
        echo:  M420 S1 Z10.00 ; Leveling ON
        echo:  G29 W I0 J0 Z-0.07876
        echo:; Hotend PID:
        echo:  M301 P22.20 I1.08 D114.00
        echo:; Bed PID:
        echo:  M304 P180.15 I35.19 D614.93
        echo:; Z-Probe Offset:
        echo:  M851 X-44.00 Y-9.00 Z-1.65 ; (mm)
        ok
        """

    /// Captured: the bilinear grid of MarlinFirmware/Marlin PR #23868 (research §1.3), with the
    /// subdivided grid that followed it.
    static let bilinearGrid = """
        Bilinear Leveling Grid:
              0      1      2      3      4
         0 +0.311 +0.260 +0.240 -0.070 +0.186
         1 -0.150 +0.142 +0.139 +0.086 -0.136
         2 +0.080 -0.103 +0.092 +0.059 -0.075
         3 +0.136 +0.094 -0.288 +0.067 +0.010
         4 +0.207 -0.250 +0.171 +0.131 +0.051

        Subdivided with CATMULL ROM Leveling Grid:
                0        1        2
         0 +0.31100 +0.29521 +0.27000
        """

    /// Captured: `G29 T` on a UBL printer, BLV issue #327 (research §1.4). The research file
    /// elides rows 8–5 and 3–1; they are filled here in the same format with made-up heights.
    static let unifiedReport = """

        Bed Topography Report:

            ( 20,215)                                                              (215,215)
                0       1       2       3       4       5       6       7       8       9
         9 | +0.070  +0.055  +0.032  +0.032  +0.022  +0.035  +0.072  +0.070  +0.070    .
           |
         8 | +0.060  +0.045  +0.022  +0.022  +0.012  +0.025  +0.062  +0.060  +0.060    .
           |
         7 | +0.050  +0.035  +0.012  +0.012  +0.002  +0.015  +0.052  +0.050  +0.050    .
           |
         6 | +0.040  +0.025  +0.002  +0.002  -0.008  +0.005  +0.042  +0.040  +0.040    .
           |
         5 | +0.030  +0.015  -0.008  -0.008  -0.018  -0.005  +0.032  +0.030  +0.030    .
           |
         4 | -0.033  -0.010  -0.008  -0.023 [-0.043] +0.002  +0.032  +0.065  +0.097    .
           |
         3 | -0.040  -0.020  -0.018  -0.033  -0.048  -0.005  +0.022  +0.055  +0.087    .
           |
         2 | -0.045  -0.030  -0.028  -0.043  -0.048  -0.015  +0.012  +0.045  +0.077    .
           |
         1 | -0.050  -0.040  -0.038  -0.053  -0.048  -0.020  +0.012  +0.035  +0.067    .
           |
         0 | -0.053  -0.045  -0.065  -0.053  -0.048  -0.025  +0.012  +0.022  +0.032    .
                0       1       2       3       4       5       6       7       8       9
            ( 20, 20)                                                              (215, 20)

        ok P15 B3
        """

    /// Derived: MESH_BED_LEVELING `G29 S0`, `gcode/bedlevel/mbl/G29.cpp` +
    /// `mesh_bed_leveling.cpp report_mesh()` in 2.1.x (research §1.5).
    static let manualMesh = """
        Mesh Bed Leveling ON
        3x3 mesh. Z offset: 0.00000
        Measured points:
                0        1        2
         0 +0.01100 -0.02000 -0.02600
         1 +0.01700 +0.00200 -0.01900
         2 +0.02200 -0.03000 -0.01300

        ok
        """

    /// Captured: `M48`, MarlinFirmware/Marlin PR #23868 (research §1.8).
    static let probeRepeatability = """
        M48 Z-Probe Repeatability Test
        Finished!
        Mean: -0.051250 Min: -0.436 Max: -0.008 Range: 0.429
        Standard Deviation: 0.128335
        """

    /// The research file's lines split into a list, as the port delivers them (no newline).
    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}
