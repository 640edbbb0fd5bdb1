// `make fuzz`'s libFuzzer target for FuzzTargets.normalizers; in an ordinary build, `fuzz-normalizers FILE...`
// replays files through it (see FuzzMain).
import SecorFuzzing

@main enum Fuzz {
    static func main() { FuzzMain.run(FuzzTargets.normalizers) }
}
