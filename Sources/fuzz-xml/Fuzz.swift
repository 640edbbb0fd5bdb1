// `make fuzz`'s libFuzzer target for FuzzTargets.xmlExport; in an ordinary build, `fuzz-xml FILE...`
// replays files through it (see FuzzMain).
import SecorFuzzing

@main enum Fuzz {
    static func main() { FuzzMain.run(FuzzTargets.xmlExport) }
}
