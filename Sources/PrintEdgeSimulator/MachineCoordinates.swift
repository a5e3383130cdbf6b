/// How G-code's coordinates map onto where the nozzle physically is, as Marlin keeps them
/// (module/motion.cpp, Marlin 2.1):
///
/// - **logical** — what G-code means and M114 prints (`current_position`);
/// - **native** — logical minus `position_shift` (G92 moves the workspace, not the nozzle),
///   what the planner and the steppers count in;
/// - **physical** — where the nozzle really is, in millimetres from the minimum endstops;
///   Z 0 is the nozzle touching the bed's surface at its centre (on a flat bed, anywhere).
///
/// Native and physical agree after homing. They part when Marlin loses track: a reset boots
/// with native 0 wherever the steppers stopped (`origin`), babysteps move the Z stepper behind
/// the planner's back, a probe whose real trigger height differs from M851 homes Z off by the
/// difference, and bed leveling adds the mesh to every move's Z.
///
/// E has no position shift in Marlin (G92 E sets the planner's E), so `e` is unused here.
struct MachineCoordinates: Sendable, Equatable {
    /// `position_shift`: logical = native + shift. G92 changes it, G28 clears it per axis.
    var shift = AxisPosition.zero
    /// The physical position of native 0: 0 after homing X or Y; after homing Z with a probe,
    /// how far the probe's real trigger height is off M851 Z; after a reset, where the nozzle
    /// was.
    var origin = AxisPosition.zero
    /// Millimetres the Z stepper was babystepped (M290) since Z was homed or the board reset.
    var babystepZ = 0.0

    /// The physical position a logical one is planned to, `leveling` being the mesh's Z
    /// correction at that place (0 with leveling off).
    func physical(fromLogical logical: AxisPosition, leveling: Double) -> AxisPosition {
        AxisPosition(
            x: logical.x - shift.x + origin.x,
            y: logical.y - shift.y + origin.y,
            z: logical.z - shift.z + origin.z + babystepZ + leveling,
            e: logical.e)
    }

    /// The logical position of a physical one: `set_current_from_steppers_for_axis` after a
    /// quick stop (leveling taken back out, as `unapply_leveling` does).
    func logical(fromPhysical physical: AxisPosition, leveling: Double) -> AxisPosition {
        AxisPosition(
            x: physical.x - origin.x + shift.x,
            y: physical.y - origin.y + shift.y,
            z: physical.z - origin.z - babystepZ - leveling + shift.z,
            e: physical.e)
    }

    /// Native X and Y of a logical position: where the mesh is looked up.
    func native(fromLogical logical: AxisPosition) -> (x: Double, y: Double) {
        (logical.x - shift.x, logical.y - shift.y)
    }

    /// What the steppers count (M114's `Count`): the physical position from where Marlin
    /// booted or homed, babysteps and leveling included.
    func stepperMillimetres(ofPhysical physical: AxisPosition) -> AxisPosition {
        AxisPosition(x: physical.x - origin.x, y: physical.y - origin.y, z: physical.z - origin.z, e: physical.e)
    }
}
