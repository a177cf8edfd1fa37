-- A throwaway file until it is finished: no fsync while filling it.
pragma synchronous = off
