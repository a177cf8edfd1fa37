-- A throwaway file until it is finished: no journal while filling it.
pragma journal_mode = off
